namespace TrainInsight.Diagnostics.Internal;

/// <summary>The median share of the step spent waiting for data (<c>data_time</c> / <c>batch_time</c>) is at least <see cref="DataOptions.MaxDataWait"/>.</summary>
internal sealed class DataLoaderBottleneckDetector : Detector
{
    private readonly DataOptions _options;
    private readonly RollingWindow _shares;
    private double _dataTime;
    private double _batchTime;
    private long _step;
    private string _dataName = MetricNames.DataTime;

    public DataLoaderBottleneckDetector(DiagnosticsOptions options)
        : base(FindingLabels.DataLoaderBottleneck, FindingSeverity.Warning)
    {
        _options = options.Data;
        _shares = new RollingWindow(_options.Window);
    }

    public override string NeededSignals => "data_time and batch_time";

    public override bool IsCovered(RunDiagnosis run) => run.HasSeen(Signal.DataTime) && run.HasSeen(Signal.BatchTime);

    public override void OnSample(RunDiagnosis run, SignalFrame frame)
    {
        if (!frame.Has(Signal.DataTime) || !frame.Has(Signal.BatchTime))
        {
            return;
        }

        var data = frame[Signal.DataTime];
        var batch = frame[Signal.BatchTime];
        if (!double.IsFinite(data) || !double.IsFinite(batch) || batch <= 0 || data < 0)
        {
            return;
        }

        _dataName = frame.NameOf(Signal.DataTime);
        _dataTime = data;
        _batchTime = batch;
        _step = frame.Step;
        _shares.Add(Math.Min(1, data / batch));
        if (!_shares.IsFull)
        {
            // The first steps include warm-up (JIT, first allocations): judge only a full window.
            return;
        }

        var median = _shares.Median();
        Confidence = Math.Min(1, 0.5 + (median / 2));
        Judge(median >= _options.MaxDataWait, median / _options.MaxDataWait);
    }

    public override FindingContent Describe(RunDiagnosis run)
    {
        var median = _shares.Median();
        var speedup = 1 / Math.Max(1 - median, 1e-3);
        return new FindingContent(
            Text.Join($"The training loop spends a median {Text.Percent(median)} of each step waiting for its batch ({Text.F(_dataTime * 1000)} ms of {Text.F(_batchTime * 1000)} ms at step {Text.F(_step)}; limit {Text.Percent(_options.MaxDataWait)}). The model is idle most of the time: loading the next batch while this one trains would make the run up to {Text.F(Math.Round(speedup, 1))}× faster."),
            [new FindingEvidence(_dataName, median, _step, Text.Join($"median share of the step spent on data over {_shares.Count} samples"), _options.MaxDataWait)],
            [
                Fixes.Code("prefetch_batches", "Load batches in the background: more data-loader workers, or a prefetching queue of 2–4 batches", "Overlapping loading with compute hides the loading time."),
                Fixes.Code("cache_decoded_data", "Cache decoded and resized samples in memory (or pre-process them once to a tensor file)", "Decoding images again every epoch is usually the slow part."),
            ]);
    }
}
