"""PConv U-Net (Liu et al., 2018, "Image Inpainting for Irregular Holes Using Partial Convolutions")."""
