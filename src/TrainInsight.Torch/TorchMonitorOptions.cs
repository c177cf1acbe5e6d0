using TrainInsight.Internal;

namespace TrainInsight.Torch;

/// <summary>Settings of the TorchSharp training hooks.</summary>
public sealed class TorchMonitorOptions
{
    private int _metricsInterval = 10;
    private int _statisticsInterval = 100;
    private int _etaWindowSteps = 200;
    private int _gpuDeviceIndex;
    private string? _checkpointDirectory;
    private string? _tensorBoardLogDirectory;

    /// <summary>
    /// Gets or sets how often, in optimizer steps, a step's metrics are read and published (the first step always is).
    /// Reading a loss forces a device sync, so unsampled steps read nothing. Between 1 and 1,000,000. The default is 10.
    /// </summary>
    public int MetricsInterval
    {
        get => _metricsInterval;
        set => _metricsInterval = OptionsGuard.InRange(value, 1, 1_000_000);
    }

    /// <summary>
    /// Gets or sets whether sampled steps also publish the global L2 norm of all gradients (call
    /// <see cref="TrainingSession.RecordStep(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, TorchSharp.torch.Tensor)"/>
    /// after <c>backward()</c> and before <c>zero_grad()</c>). The default is <see langword="false"/>.
    /// </summary>
    public bool GradientNorm { get; set; }

    /// <summary>
    /// Gets or sets whether statistics steps (see <see cref="StatisticsInterval"/>) publish, for each layer (a module that
    /// owns trainable parameters, named like <c>conv1</c> or <c>block1.conv2</c>), the L2 norm of its gradients
    /// (<c>gradient_norm/&lt;layer&gt;</c>), of its weights (<c>weight_norm/&lt;layer&gt;</c>) and the ratio of the last
    /// optimizer update to the weights (<c>update_ratio/&lt;layer&gt;</c>, ‖Δw‖/‖w‖; around 1e-3 is typical), plus the
    /// global <c>gradient_norm</c>, <c>weight_norm</c> and <c>update_ratio</c>. All norms are reduced on the device and
    /// copied out together in one transfer. For the update ratio the step before each statistics step keeps a copy of the
    /// weights until the statistics step has read it: for that one step the weights take twice their memory.
    /// The default is <see langword="false"/>.
    /// </summary>
    public bool LayerStatistics { get; set; }

    /// <summary>
    /// Gets or sets whether statistics steps (see <see cref="StatisticsInterval"/>) publish activation health, read by
    /// forward hooks on the model's <c>nn.ReLU</c>, <c>nn.Sigmoid</c> and <c>nn.Tanh</c> modules: the share of dead ReLU
    /// units (<c>dead_relu/&lt;layer&gt;</c>: channels of a feature map, or features of a [batch, features] output, that are
    /// zero for every sample of the batch) and of saturated sigmoid or tanh outputs (<c>saturation/&lt;layer&gt;</c>: sigmoid
    /// below 0.01 or above 0.99, tanh beyond ±0.99), plus their means over the layers (<c>dead_relu</c>,
    /// <c>saturation</c>). Hooks run through a module's <c>call</c>: activations computed with functions
    /// (<c>nn.functional.relu</c>) or a direct <c>forward</c> are not seen, and a module called several times in one
    /// forward pass reports its last call. The hooks are armed by <see cref="TrainingSession.WaitForStepBoundary"/> before a
    /// statistics step and disarmed when it is recorded, so validation passes are never measured; they copy a scalar out
    /// and keep no tensor. The default is <see langword="false"/>.
    /// </summary>
    public bool ActivationStatistics { get; set; }

    /// <summary>
    /// Gets or sets how often, in optimizer steps, the opt-in <see cref="LayerStatistics"/> and
    /// <see cref="ActivationStatistics"/> are computed (the first step always is); a statistics step also publishes the
    /// regular metrics. Between 1 and 1,000,000. The default is 100.
    /// </summary>
    public int StatisticsInterval
    {
        get => _statisticsInterval;
        set => _statisticsInterval = OptionsGuard.InRange(value, 1, 1_000_000);
    }

    /// <summary>
    /// Gets or sets how many of the latest training steps the ETA's step time is measured over (<c>eta_seconds</c>, the
    /// stream's <c>eta</c>): the ETA is the planned steps left times the mean step time of the most recent sampled windows
    /// that cover at least this many steps. A window of one <see cref="MetricsInterval"/> swings with every slow batch or
    /// garbage collection; 200 steps (20 windows at the default interval) hold the ETA steady while it still follows a
    /// lasting change of speed within a couple of hundred steps. Pauses, evaluations and epoch ends (validation) are not
    /// step time and are left out. Between 1 and 1,000,000. The default is 200.
    /// </summary>
    public int EtaWindowSteps
    {
        get => _etaWindowSteps;
        set => _etaWindowSteps = OptionsGuard.InRange(value, 1, 1_000_000);
    }

    /// <summary>
    /// Gets or sets the folder where checkpoints are written: on a <see cref="ControlAction.SaveCheckpoint"/> command
    /// (<c>&lt;folder&gt;/&lt;run id&gt;/step-&lt;step&gt;.pt</c>) and when the run completes or is stopped
    /// (<c>&lt;folder&gt;/&lt;run id&gt;/final.pt</c>). Each checkpoint is the model's state in TorchSharp's format (load it
    /// with <c>model.load(path)</c> or <see cref="TrainingCheckpoint.Load"/>) plus the optimizer's state next to it
    /// (<c>.optimizer</c>). When <see langword="null"/>, checkpoint commands are rejected and no final checkpoint is written.
    /// The default is <see langword="null"/>.
    /// </summary>
    public string? CheckpointDirectory
    {
        get => _checkpointDirectory;
        set
        {
            if (value is not null && string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException("CheckpointDirectory must be null or a folder path.", nameof(value));
            }

            _checkpointDirectory = value;
        }
    }

    /// <summary>
    /// Gets or sets the early-stopping policy: the run stops (and writes its final checkpoint) when the chosen validation
    /// metric has not improved for <see cref="EarlyStoppingOptions.Patience"/> epoch-end validations. A
    /// <see cref="ControlAction.SetEarlyStopping"/> command changes the patience while the run trains. When
    /// <see langword="null"/>, early stopping is off until such a command turns it on (on validation loss).
    /// The default is <see langword="null"/>.
    /// </summary>
    public EarlyStoppingOptions? EarlyStopping { get; set; }

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
        set => _gpuDeviceIndex = OptionsGuard.AtLeast(value, 0);
    }

    /// <summary>
    /// Gets or sets the folder under which every attached run also writes its metrics as TensorBoard scalars, one
    /// sub-folder per run (named after its id), or <see langword="null"/> for no TensorBoard logging. A background task
    /// writes the files; failures to write are counted in <see cref="TrainingSession.TelemetryErrors"/> and never reach the
    /// training loop. Cannot be empty or white space. The default is <see langword="null"/>.
    /// </summary>
    public string? TensorBoardLogDirectory
    {
        get => _tensorBoardLogDirectory;
        set
        {
            if (value is not null && string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException("TensorBoardLogDirectory must be null or a folder path.", nameof(value));
            }

            _tensorBoardLogDirectory = value;
        }
    }
}
