namespace TrainInsight.Torch;

/// <summary>Settings of the TorchSharp training hooks.</summary>
public sealed class TorchMonitorOptions
{
    private int _metricsInterval = 10;

    /// <summary>
    /// Gets or sets how often, in optimizer steps, a step's metrics are read and published (the first step always is).
    /// Reading a loss forces a device sync, so unsampled steps read nothing. Between 1 and 1,000,000. The default is 10.
    /// </summary>
    public int MetricsInterval
    {
        get => _metricsInterval;
        set
        {
            if (value < 1 || value > 1_000_000)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "MetricsInterval must be between 1 and 1,000,000.");
            }

            _metricsInterval = value;
        }
    }

    /// <summary>
    /// Gets or sets whether sampled steps also publish the global L2 norm of all gradients (call
    /// <see cref="TrainingSession.RecordStep(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, TorchSharp.torch.Tensor)"/>
    /// after <c>backward()</c> and before <c>zero_grad()</c>). The default is <see langword="false"/>.
    /// </summary>
    public bool GradientNorm { get; set; }
}
