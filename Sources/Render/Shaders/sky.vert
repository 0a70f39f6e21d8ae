#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

// One triangle that covers the screen; no vertex buffer.
layout(location = 0) out vec3 rayDirection;

void main() {
    vec2 ndc = vec2((gl_VertexIndex << 1) & 2, gl_VertexIndex & 2) * 2.0 - 1.0;
    // The far-plane point under this corner, back in world space. It is affine in screen space
    // (w = 1 below), so interpolating it per pixel is exact; the inverse runs 3 times, not per pixel.
    vec4 far = inverse(eye.viewProj) * vec4(ndc, 1.0, 1.0);
    rayDirection = far.xyz / far.w - eye.position.xyz;
    gl_Position = vec4(ndc, 1.0, 1.0);
}
