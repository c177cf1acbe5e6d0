using static TorchSharp.torch;

namespace TrainInsight.Torch.Internal;

/// <summary>
/// Reads what a sampled step publishes: the loss, the batch accuracy, the statistics of a statistics step (or the global
/// gradient norm), the learning rates, the step window's timings and ETA, and the process's and GPU's memory. This is
/// the only place a step's tensors are read (one device sync per sampled step).
/// </summary>
internal sealed class StepMetrics(nn.Module model, optim.Optimizer optimizer, SessionStatistics statistics, StepWindow window, GpuMonitor? gpu, TorchMonitorOptions options)
{
    private readonly string[] _groupRateNames = OptimizerSettings.RateNames(optimizer);
    private readonly bool _gradientNorm = options.GradientNorm;
    private readonly int _gpuDeviceIndex = options.GpuDeviceIndex;

    /// <summary>Reads the step's values; <paramref name="lossValue"/> is the loss read (for the epoch's mean).</summary>
    public Dictionary<string, double> Read(Tensor loss, Tensor? output, Tensor? target, bool statisticsStep, long? remainingSteps, out double lossValue)
    {
        var values = new Dictionary<string, double>(statisticsStep ? 64 : 16, StringComparer.Ordinal);
        if (statisticsStep)
        {
            statistics.CollectActivations(values);
        }

        using (NewDisposeScope())
        {
            lossValue = loss.detach().cpu().to_type(ScalarType.Float64).item<double>();
            values[MetricNames.TrainLoss] = lossValue;
            if (output is not null && target is not null && output.shape.Length == 2)
            {
                var correct = output.argmax(1).eq(target).sum().cpu().item<long>();
                values[MetricNames.TrainAccuracy] = (double)correct / target.shape[0];
            }

            if (statisticsStep && statistics.HasLayers)
            {
                statistics.CollectLayers(values);
            }
            else if (_gradientNorm)
            {
                values[MetricNames.GradientNorm] = TensorStatistics.GlobalGradientNorm(model);
            }
        }

        OptimizerSettings.AddLearningRates(optimizer, _groupRateNames, values);
        window.Publish(values, remainingSteps);
        ProcessMetrics.Add(values, gpu, _gpuDeviceIndex);
        return values;
    }
}
