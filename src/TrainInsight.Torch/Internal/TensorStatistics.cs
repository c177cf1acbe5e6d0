using static TorchSharp.torch;

namespace TrainInsight.Torch.Internal;

internal static class TensorStatistics
{
    /// <summary>The L2 norm of all gradients taken together; NaN when no parameter has a gradient. Call inside a dispose scope.</summary>
    public static double GlobalGradientNorm(nn.Module model)
    {
        Tensor? sumOfSquares = null;
        foreach (var parameter in model.parameters())
        {
            var grad = parameter.grad;
            if (grad is null)
            {
                continue;
            }

            var squares = grad.detach().pow(2).sum();
            sumOfSquares = sumOfSquares is null ? squares : sumOfSquares.add_(squares);
        }

        return sumOfSquares is null ? double.NaN : Math.Sqrt(sumOfSquares.cpu().to_type(ScalarType.Float64).item<double>());
    }
}
