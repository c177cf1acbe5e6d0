using static TorchSharp.torch;

namespace TrainInsight.Torch.Internal;

/// <summary>
/// The opt-in statistics of a session (<see cref="TorchMonitorOptions.LayerStatistics"/>,
/// <see cref="TorchMonitorOptions.ActivationStatistics"/>): on which steps they run, arming the hooks and keeping the
/// weights before such a step, and collecting after it. Each kind fails on its own, counted, and the run trains on.
/// Training thread only.
/// </summary>
internal sealed class SessionStatistics : IDisposable
{
    private readonly LayerStatisticsCollector? _layers;
    private readonly ActivationMonitor? _activations;
    private readonly int _interval;
    private long _preparedForStep;
    private long _errors;

    public SessionStatistics(nn.Module model, TorchMonitorOptions options)
    {
        _interval = options.StatisticsInterval;

        // Statistics are telemetry: without them the run still trains.
        if (options.LayerStatistics)
        {
            try
            {
                _layers = new LayerStatisticsCollector(model);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _errors++;
            }
        }

        if (options.ActivationStatistics)
        {
            try
            {
                _activations = new ActivationMonitor(model);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _errors++;
            }
        }
    }

    /// <summary>Gets the activation hooks, or <see langword="null"/> when off.</summary>
    internal ActivationMonitor? Activations => _activations;

    /// <summary>Gets the layer statistics, or <see langword="null"/> when off.</summary>
    internal LayerStatisticsCollector? Layers => _layers;

    /// <summary>Gets whether any statistic is on.</summary>
    public bool Enabled => _layers is not null || _activations is not null;

    /// <summary>Gets whether layer statistics (which include the global gradient norm) are on.</summary>
    public bool HasLayers => _layers is not null;

    /// <summary>Gets how many statistics failed (and were skipped).</summary>
    public long Errors => Interlocked.Read(ref _errors) + (_activations?.Errors ?? 0);

    /// <summary>Whether step <paramref name="step"/> computes the statistics (the first always does).</summary>
    public bool IsStatisticsStep(long step) => Enabled && (step == 1 || step % _interval == 0);

    /// <summary>Before statistics step <paramref name="step"/>: keep the weights it starts from, and arm the activation hooks.</summary>
    public void Prepare(long step)
    {
        if (!IsStatisticsStep(step) || _preparedForStep == step)
        {
            return;
        }

        _preparedForStep = step;
        try
        {
            if (_activations is not null)
            {
                _activations.Armed = true;
            }

            _layers?.Snapshot();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _errors);
        }
    }

    /// <summary>Forgets the weights kept for the coming step (a checkpoint was restored), so that <see cref="Prepare"/> copies them again.</summary>
    public void Invalidate() => _preparedForStep = 0;

    /// <summary>Quiets the hooks until the next statistics step, and adds what they measured.</summary>
    public void CollectActivations(Dictionary<string, double> values)
    {
        if (_activations is not null)
        {
            _activations.Armed = false;
            _activations.Collect(values);
        }
    }

    /// <summary>Quiets the activation hooks, whatever happened to the step.</summary>
    public void Disarm()
    {
        if (_activations is not null)
        {
            _activations.Armed = false;
        }
    }

    /// <summary>Adds the per-layer norms and update ratios (inside the caller's dispose scope).</summary>
    public void CollectLayers(Dictionary<string, double> values) => _layers?.Collect(values);

    public void Dispose()
    {
        _activations?.Dispose();
        _layers?.Dispose();
    }
}
