"""Style transfer losses. Implement the three modules below; see handout.md."""
import torch
import torch.nn as nn


class ContentLoss(nn.Module):
    def forward(self, content_weight, content_current, content_original):
        """
        Compute the content loss for style transfer.

        Inputs:
        - content_weight: Scalar giving the weighting for the content loss.
        - content_current: features of the current image; this is a PyTorch Tensor of shape
          (1, C_l, H_l, W_l).
        - content_original: features of the content image, Tensor with shape (1, C_l, H_l, W_l).

        Returns:
        - scalar content loss
        """
        raise NotImplementedError("ContentLoss.forward")


class StyleLoss(nn.Module):
    def gram_matrix(self, features, normalize=True):
        """
        Compute the Gram matrix from features.

        Inputs:
        - features: PyTorch Tensor of shape (N, C, H, W) giving features for a batch of N images.
        - normalize: optional, whether to normalize the Gram matrix.
            If True, divide the Gram matrix by the number of neurons (H * W * C).

        Returns:
        - gram: PyTorch Tensor of shape (N, C, C) giving the (optionally normalized) Gram matrices
          for the N input images.
        """
        raise NotImplementedError("StyleLoss.gram_matrix")

    def forward(self, feats, style_layers, style_targets, style_weights):
        """
        Computes the style loss at a set of layers.

        Inputs:
        - feats: list of the features at every layer of the current image.
        - style_layers: List of layer indices into feats giving the layers to include in the
          style loss.
        - style_targets: List of the same length as style_layers, where style_targets[i] is
          a PyTorch Tensor giving the Gram matrix of the source style image computed at
          layer style_layers[i].
        - style_weights: List of the same length as style_layers, where style_weights[i]
          is a scalar giving the weight for the style loss at layer style_layers[i].

        Returns:
        - style_loss: A PyTorch Tensor holding a scalar giving the style loss.
        """
        raise NotImplementedError("StyleLoss.forward")


class TotalVariationLoss(nn.Module):
    def forward(self, img, tv_weight):
        """
        Compute total variation loss.

        Inputs:
        - img: PyTorch Variable of shape (1, 3, H, W) holding an input image.
        - tv_weight: Scalar giving the weight w_t to use for the TV loss.

        Returns:
        - loss: PyTorch Variable holding a scalar giving the total variation loss
          for img weighted by tv_weight.
        """
        raise NotImplementedError("TotalVariationLoss.forward")
