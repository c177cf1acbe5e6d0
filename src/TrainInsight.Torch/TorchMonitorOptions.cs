namespace TrainInsight.Torch;

/// <summary>Settings of the TorchSharp training hooks.</summary>
public sealed class TorchMonitorOptions
{
    private int _metricsInterval = 10;
    private int _gpuDeviceIndex;

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

    /// <summary>
    /// Gets or sets whether sampled steps also publish the memory and utilisation of the GPU at <see cref="GpuDeviceIndex"/>,
    /// read through NVML (see <see cref="GpuMonitor"/>). Where NVML is not available the GPU metrics are left out.
    /// The default is <see langword="true"/>.
    /// </summary>
    public bool GpuMetrics { get; set; } = true;

    /// <summary>
    /// Gets or sets the NVML index of the GPU whose metrics are published. NVML numbers GPUs in PCI bus order, whatever
    /// <c>CUDA_VISIBLE_DEVICES</c> says. Zero or more. The default is 0.
    /// </summary>
    public int GpuDeviceIndex
    {
        get => _gpuDeviceIndex;
        set
        {
            if (value < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "GpuDeviceIndex must be zero or more.");
            }

            _gpuDeviceIndex = value;
        }
    }
}
