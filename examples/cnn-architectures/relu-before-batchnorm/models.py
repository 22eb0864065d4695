"""Colourisation CNNs (cnn-architectures): ConvTransposeNet applies ReLU before BatchNorm in every block."""
import torch
import torch.nn as nn
import torch.nn.functional as F


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
        return self.layer5(self.layer4(self.layer3(self.layer2(self.layer1(x)))))


class ConvTransposeNet(nn.Module):
    # The layers of the spec, but every block applies its ReLU (functional) before its BatchNorm.
    def __init__(self, kernel, num_filters, num_colours, num_in_channels):
        super().__init__()
        padding = kernel // 2
        nf, nc = num_filters, num_colours
        self.conv1 = nn.Conv2d(num_in_channels, nf, kernel, stride=2, padding=padding)
        self.bn1 = nn.BatchNorm2d(nf)
        self.conv2 = nn.Conv2d(nf, 2 * nf, kernel, stride=2, padding=padding)
        self.bn2 = nn.BatchNorm2d(2 * nf)
        self.up1 = nn.ConvTranspose2d(2 * nf, nf, kernel, stride=2, padding=padding, output_padding=1)
        self.bn3 = nn.BatchNorm2d(nf)
        self.up2 = nn.ConvTranspose2d(nf, nc, kernel, stride=2, padding=padding, output_padding=1)
        self.bn4 = nn.BatchNorm2d(nc)
        self.final = nn.Conv2d(nc, nc, kernel, padding=padding)

    def forward(self, x):
        x = self.bn1(F.relu(self.conv1(x)))
        x = self.bn2(F.relu(self.conv2(x)))
        x = self.bn3(F.relu(self.up1(x)))
        x = self.bn4(F.relu(self.up2(x)))
        return self.final(x)


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
