"""Colourisation CNNs: PoolUpsampleNet creates its final Conv2d but never applies it (the count is right, layer5 gets no gradient)."""
import torch
import torch.nn as nn


class PoolUpsampleNet(nn.Module):
    def __init__(self, kernel, num_filters, num_colours, num_in_channels):
        super().__init__()
        padding = kernel // 2
        nf, nc = num_filters, num_colours
        self.layer1 = nn.Sequential(
            nn.Conv2d(num_in_channels, nf, kernel, padding=padding), nn.MaxPool2d(2), nn.BatchNorm2d(nf), nn.ReLU()
        )
        self.layer2 = nn.Sequential(
            nn.Conv2d(nf, 2 * nf, kernel, padding=padding), nn.MaxPool2d(2), nn.BatchNorm2d(2 * nf), nn.ReLU()
        )
        self.layer3 = nn.Sequential(
            nn.Conv2d(2 * nf, nf, kernel, padding=padding), nn.Upsample(scale_factor=2), nn.BatchNorm2d(nf), nn.ReLU()
        )
        self.layer4 = nn.Sequential(
            nn.Conv2d(nf, nc, kernel, padding=padding), nn.Upsample(scale_factor=2), nn.BatchNorm2d(nc), nn.ReLU()
        )
        self.layer5 = nn.Conv2d(nc, nc, kernel, padding=padding)

    def forward(self, x):
        out = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return out  # layer5 is never applied


class ConvTransposeNet(nn.Module):
    def __init__(self, kernel, num_filters, num_colours, num_in_channels):
        super().__init__()
        padding = kernel // 2
        nf, nc = num_filters, num_colours
        self.layer1 = nn.Sequential(
            nn.Conv2d(num_in_channels, nf, kernel, stride=2, padding=padding), nn.BatchNorm2d(nf), nn.ReLU()
        )
        self.layer2 = nn.Sequential(nn.Conv2d(nf, 2 * nf, kernel, stride=2, padding=padding), nn.BatchNorm2d(2 * nf), nn.ReLU())
        self.layer3 = nn.Sequential(
            nn.ConvTranspose2d(2 * nf, nf, kernel, stride=2, padding=padding, output_padding=1), nn.BatchNorm2d(nf), nn.ReLU()
        )
        self.layer4 = nn.Sequential(
            nn.ConvTranspose2d(nf, nc, kernel, stride=2, padding=padding, output_padding=1), nn.BatchNorm2d(nc), nn.ReLU()
        )
        self.layer5 = nn.Conv2d(nc, nc, kernel, padding=padding)

    def forward(self, x):
        return self.layer5(self.layer4(self.layer3(self.layer2(self.layer1(x)))))


class UNet(nn.Module):
    def __init__(self, kernel, num_filters, num_colours, num_in_channels):
        super().__init__()
        padding = kernel // 2
        nf, nc = num_filters, num_colours
        self.layer1 = nn.Sequential(
            nn.Conv2d(num_in_channels, nf, kernel, stride=2, padding=padding), nn.BatchNorm2d(nf), nn.ReLU()
        )
        self.layer2 = nn.Sequential(nn.Conv2d(nf, 2 * nf, kernel, stride=2, padding=padding), nn.BatchNorm2d(2 * nf), nn.ReLU())
        self.layer3 = nn.Sequential(
            nn.ConvTranspose2d(2 * nf, nf, kernel, stride=2, padding=padding, output_padding=1), nn.BatchNorm2d(nf), nn.ReLU()
        )
        self.layer4 = nn.Sequential(
            nn.ConvTranspose2d(2 * nf, nc, kernel, stride=2, padding=padding, output_padding=1), nn.BatchNorm2d(nc), nn.ReLU()
        )
        self.layer5 = nn.Conv2d(nc + num_in_channels, nc, kernel, padding=padding)

    def forward(self, x):
        out1 = self.layer1(x)
        out2 = self.layer2(out1)
        out3 = self.layer3(out2)
        out4 = self.layer4(torch.cat([out3, out1], dim=1))
        return self.layer5(torch.cat([out4, x], dim=1))
