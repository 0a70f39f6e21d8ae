// Shared between the mesh and sky shaders: the same push constants and frame uniforms are bound for both.

// Per eye: the view-projection matrix and the eye's world position.
layout(push_constant) uniform Eye {
    mat4 viewProj;
    vec4 position;
} eye;

// Per frame (same for both eyes). Colours are linear; the sRGB target encodes them.
layout(set = 0, binding = 0) uniform Frame {
    vec4 lightDirection;   // towards the light, unit length
    vec4 lightColor;
    vec4 ambient;
    vec4 fog;              // rgb colour, a = density per metre
    vec4 skyZenith;
    vec4 skyHorizon;
    vec4 skyGround;
} frame;
