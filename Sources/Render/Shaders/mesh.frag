#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(location = 0) in vec3 worldPosition;
layout(location = 1) in vec3 worldNormal;
layout(location = 2) in vec4 color;
layout(location = 0) out vec4 outColor;

void main() {
    vec3 n = normalize(worldNormal);
    float diffuse = max(dot(n, frame.lightDirection.xyz), 0.0);
    vec3 lit = color.rgb * (frame.ambient.rgb + frame.lightColor.rgb * diffuse);
    float distance = length(worldPosition - eye.position.xyz);
    float fogAmount = 1.0 - exp(-frame.fog.a * distance);
    outColor = vec4(mix(lit, frame.fog.rgb, fogAmount), color.a);
}
