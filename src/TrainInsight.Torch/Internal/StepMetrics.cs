using static TorchSharp.torch;

namespace TrainInsight.Torch.Internal;

/// <summary>
/// Reads what a sampled step publishes: the loss, the batch accuracy, the statistics of a statistics step (or the global
/// gradient norm), the share of the batch's most common class, the learning rates, the step window's timings and ETA,
/// and the process's and GPU's memory. This is the only place a step's tensors are read (one device sync per sampled step,
/// plus one scalar copy for each of the accuracy and the class share).
/// </summary>
internal sealed class StepMetrics(nn.Module model, optim.Optimizer optimizer, SessionStatistics statistics, StepWindow window, GpuMonitor? gpu, TorchMonitorOptions options)
{
    // Targets up to this many samples are counted with a [n, n] comparison, which has a fixed shape (no device sync of its own).
    private const long PairwiseCountLimit = 1024;

    private readonly string[] _groupRateNames = OptimizerSettings.RateNames(optimizer);
    private readonly bool _gradientNorm = options.GradientNorm;
    private readonly int _gpuDeviceIndex = options.GpuDeviceIndex;

    private long _errors;

    /// <summary>Gets how many class-share readings failed (and were skipped).</summary>
    public long Errors => Interlocked.Read(ref _errors);

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

            if (target is not null)
            {
                AddClassShare(target, values);
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

    /// <summary>
    /// Adds <see cref="MetricNames.BatchClassShare"/>: how many of the batch's targets are in its most common class, over
    /// the batch size. Only one-dimensional integer targets (class indices) have one; others are skipped silently.
    /// </summary>
    private void AddClassShare(Tensor target, Dictionary<string, double> values)
    {
        try
        {
            if (target.dim() != 1 || !IsInteger(target.dtype))
            {
                return;
            }

            var n = target.shape[0];
            if (n == 0)
            {
                return;
            }

            var t = target.detach();
            var largest = n <= PairwiseCountLimit
                ? t.unsqueeze(1).eq(t.unsqueeze(0)).sum(1).max()
                : unique(t, return_counts: true).counts!.max();
            values[MetricNames.BatchClassShare] = (double)largest.cpu().to_type(ScalarType.Int64).item<long>() / n;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _errors);
        }
    }

    private static bool IsInteger(ScalarType type) =>
        type is ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte;
}
