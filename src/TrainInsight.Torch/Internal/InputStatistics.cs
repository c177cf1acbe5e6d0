using static TorchSharp.torch;

namespace TrainInsight.Torch.Internal;

/// <summary>
/// The input batch's mean and standard deviation, read by <see cref="TrainingSession.RecordInput"/> on a step that will be
/// sampled and held until that step's metrics are published. Training thread only.
/// </summary>
internal sealed class InputStatistics
{
    private long _step;
    private double _mean;
    private double _std;

    /// <summary>Reads the mean and the population standard deviation of every element of <paramref name="input"/> (one transfer).</summary>
    public void Read(Tensor input, long step)
    {
        _step = 0;
        using (NewDisposeScope())
        {
            var x = input.detach();
            if (x.numel() == 0)
            {
                return;
            }

            if (!x.is_floating_point())
            {
                x = x.to_type(ScalarType.Float32);
            }

            var (std, mean) = std_mean(x, unbiased: false);
            var both = stack([mean, std]).to_type(ScalarType.Float64).cpu();
            var values = both.data<double>();
            _mean = values[0];
            _std = values[1];
        }

        _step = step;
    }

    /// <summary>Adds the values read for <paramref name="step"/>, if any, and forgets them.</summary>
    public void AddTo(Dictionary<string, double> values, long step)
    {
        if (_step == step && step != 0)
        {
            values[MetricNames.InputMean] = _mean;
            values[MetricNames.InputStd] = _std;
        }

        _step = 0;
    }

    /// <summary>Forgets what was read.</summary>
    public void Clear() => _step = 0;
}
