#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(location = 0) in vec3 inPosition;
layout(location = 1) in vec3 inNormal;
// Per instance: model matrix columns and colour.
layout(location = 2) in vec4 model0;
layout(location = 3) in vec4 model1;
layout(location = 4) in vec4 model2;
layout(location = 5) in vec4 model3;
layout(location = 6) in vec4 inColor;

layout(location = 0) out vec3 worldPosition;
layout(location = 1) out vec3 worldNormal;
layout(location = 2) out vec4 color;

void main() {
    mat4 model = mat4(model0, model1, model2, model3);
    vec4 world = model * vec4(inPosition, 1.0);
    worldPosition = world.xyz;
    // Inverse transpose keeps normals perpendicular under non-uniform scale (stretched boxes).
    worldNormal = transpose(inverse(mat3(model))) * inNormal;
    color = inColor;
    gl_Position = eye.viewProj * world;
}
