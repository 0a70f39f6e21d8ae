#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(location = 0) in vec3 rayDirection;
layout(location = 0) out vec4 outColor;

void main() {
    float up = normalize(rayDirection).y;
    vec3 color;
    if (up >= 0.0) {
        // The horizon band is wide and the zenith colour takes over slowly, as in a real sky.
        color = mix(frame.skyHorizon.rgb, frame.skyZenith.rgb, pow(up, 0.6));
    } else {
        color = mix(frame.skyHorizon.rgb, frame.skyGround.rgb, min(1.0, -up * 10.0));
    }
    outColor = vec4(color, 1.0);
}
