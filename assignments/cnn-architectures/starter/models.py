"""Image colourisation CNNs.

Implement the three networks described in handout.md. Each is built as

    Net(kernel, num_filters, num_colours, num_in_channels)

and maps a batch [N, num_in_channels, 32, 32] to [N, num_colours, 32, 32].
Use padding = kernel // 2 in every convolution. Check your work with

    dlgrade check cnn-architectures
"""
import torch
import torch.nn as nn


class PoolUpsampleNet(nn.Module):
    def __init__(self, kernel, num_filters, num_colours, num_in_channels):
        super().__init__()
        padding = kernel // 2
        # TODO: four blocks of Conv2d → (MaxPool2d or Upsample) → BatchNorm2d → ReLU, then a final Conv2d.
        raise NotImplementedError("PoolUpsampleNet.__init__")

    def forward(self, x):
        raise NotImplementedError("PoolUpsampleNet.forward")


class ConvTransposeNet(nn.Module):
    def __init__(self, kernel, num_filters, num_colours, num_in_channels):
        super().__init__()
        padding = kernel // 2
        # TODO: two stride-2 Conv2d blocks, two stride-2 ConvTranspose2d blocks (output_padding=1), a final Conv2d.
        raise NotImplementedError("ConvTransposeNet.__init__")

    def forward(self, x):
        raise NotImplementedError("ConvTransposeNet.forward")


class UNet(nn.Module):
    def __init__(self, kernel, num_filters, num_colours, num_in_channels):
        super().__init__()
        padding = kernel // 2
        # TODO: as ConvTransposeNet, with the two skip connections of the handout (torch.cat along dim=1).
        raise NotImplementedError("UNet.__init__")

    def forward(self, x):
        raise NotImplementedError("UNet.forward")
