#version 450
// Placeholder so the shader pipeline is exercised from the first commit; the renderer replaces it.
layout(location = 0) out vec4 outColor;
void main() { outColor = vec4(1.0); }
