using System.Diagnostics;

namespace TrainInsight.Torch.Internal;

/// <summary>
/// The steps since the last sampled step, timed: how many, how many samples, how much of the time went into getting
/// batches (from the end of one step to the next <see cref="TrainingSession.WaitForStepBoundary"/>), and the ETA's
/// longer view of the step time. Pauses, evaluations and epoch ends restart the window, so they never count as step time.
/// Training thread only.
/// </summary>
internal sealed class StepWindow(int etaWindowSteps)
{
    private readonly EtaEstimator _eta = new(etaWindowSteps);
    private long _start = Stopwatch.GetTimestamp();
    private long _lastStepEnd = Stopwatch.GetTimestamp();
    private long _samples;
    private int _steps;
    private long _dataTicks;
    private int _boundaries;

    /// <summary>Gets whether a step is under way: it passed its boundary and is not recorded yet.</summary>
    public bool InStep { get; private set; }

    /// <summary>A step boundary: the time since the last step ended went into getting this step's batch.</summary>
    public void OnBoundary()
    {
        if (!InStep)
        {
            InStep = true;
            _boundaries++;
            _dataTicks += Stopwatch.GetTimestamp() - _lastStepEnd;
        }
    }

    /// <summary>A step was recorded with <paramref name="batchSize"/> samples.</summary>
    public void OnStep(long batchSize)
    {
        _steps++;
        _samples += batchSize;
    }

    /// <summary>The recorded step is over; the time until the next boundary is data time.</summary>
    public void OnStepEnd()
    {
        InStep = false;
        _lastStepEnd = Stopwatch.GetTimestamp();
    }

    /// <summary>Starts a new window now (after a pause, an evaluation, an epoch start): what came before is not step time.</summary>
    public void Restart()
    {
        _start = Stopwatch.GetTimestamp();
        _lastStepEnd = _start;
        _steps = 0;
        _samples = 0;
        _dataTicks = 0;

        // Inside a step boundary the coming step has passed it already.
        _boundaries = InStep ? 1 : 0;
    }

    /// <summary>
    /// Adds the window's timings to <paramref name="values"/> (batch, data and compute time, steps and samples per second,
    /// and the ETA of <paramref name="remainingSteps"/>), then starts the next window.
    /// </summary>
    public void Publish(Dictionary<string, double> values, long? remainingSteps)
    {
        var now = Stopwatch.GetTimestamp();
        var seconds = Stopwatch.GetElapsedTime(_start, now).TotalSeconds;
        if (seconds > 0 && _steps > 0)
        {
            var batchTime = seconds / _steps;
            values[MetricNames.BatchTime] = batchTime;
            if (_boundaries == _steps)
            {
                // Every step of the window passed WaitForStepBoundary, so the data/compute split covers the window.
                var dataTime = Math.Min(batchTime, Stopwatch.GetElapsedTime(0, _dataTicks).TotalSeconds / _steps);
                values[MetricNames.DataTime] = dataTime;
                values[MetricNames.ComputeTime] = batchTime - dataTime;
            }

            values[MetricNames.StepsPerSecond] = _steps / seconds;
            values[MetricNames.SamplesPerSecond] = _samples / seconds;
            _eta.Add(_steps, seconds);
            if (remainingSteps is { } remaining && _eta.SecondsPerStep is { } perStep)
            {
                values[MetricNames.EtaSeconds] = Math.Max(0, remaining) * perStep;
            }
        }

        _start = now;
        _steps = 0;
        _samples = 0;
        _boundaries = 0;
        _dataTicks = 0;
    }
}
