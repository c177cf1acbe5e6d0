namespace TrainInsight.Torch.Internal;

/// <summary>
/// The step time an ETA is computed from: the mean over the most recent measured windows that together cover at least
/// <c>windowSteps</c> steps (a window is the steps between two sampled steps). One slow window (a GC, a slow batch) then
/// moves the ETA by a fraction of its own weight instead of multiplying it.
/// </summary>
internal sealed class EtaEstimator(int windowSteps)
{
    private readonly Queue<(int Steps, double Seconds)> _windows = new();
    private long _steps;
    private double _seconds;

    /// <summary>Gets the mean seconds per step over the recent windows, or <see langword="null"/> before the first.</summary>
    public double? SecondsPerStep => _steps > 0 ? _seconds / _steps : null;

    /// <summary>Adds a measured window; drops the oldest windows the rest still covers the span without.</summary>
    public void Add(int steps, double seconds)
    {
        if (steps <= 0 || !(seconds > 0) || !double.IsFinite(seconds))
        {
            return;
        }

        _windows.Enqueue((steps, seconds));
        _steps += steps;
        _seconds += seconds;
        while (_windows.Count > 1 && _steps - _windows.Peek().Steps >= windowSteps)
        {
            var (oldSteps, oldSeconds) = _windows.Dequeue();
            _steps -= oldSteps;
            _seconds -= oldSeconds;
        }
    }
}
