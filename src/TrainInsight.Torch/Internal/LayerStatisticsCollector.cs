using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TrainInsight.Torch.Internal;

/// <summary>
/// Per-layer gradient norms, weight norms and update/weight ratios of a model's trainable parameters. A layer is the module
/// that owns the parameters (<c>conv1.weight</c> and <c>conv1.bias</c> are layer <c>conv1</c>). All squared sums are
/// reduced on the device, stacked and copied out in one transfer.
/// </summary>
internal sealed class LayerStatisticsCollector : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly int[] _layerOfParameter;
    private readonly string[] _gradientNames;
    private readonly string[] _weightNames;
    private readonly string[] _ratioNames;
    private Tensor?[]? _snapshot;

    public LayerStatisticsCollector(nn.Module model)
    {
        var parameters = new List<Parameter>();
        var layerOf = new List<int>();
        var layers = new List<string>();
        var layerIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (!parameter.requires_grad)
            {
                continue;
            }

            var layer = LayerName(name);
            if (!layerIndex.TryGetValue(layer, out var index))
            {
                index = layers.Count;
                layerIndex.Add(layer, index);
                layers.Add(layer);
            }

            parameters.Add(parameter);
            layerOf.Add(index);
        }

        _parameters = [.. parameters];
        _layerOfParameter = [.. layerOf];
        _gradientNames = [.. layers.Select(l => MetricNames.ForLayer(MetricNames.GradientNorm, l))];
        _weightNames = [.. layers.Select(l => MetricNames.ForLayer(MetricNames.WeightNorm, l))];
        _ratioNames = [.. layers.Select(l => MetricNames.ForLayer(MetricNames.UpdateRatio, l))];
    }

    /// <summary>Gets the layer names, in the model's parameter order.</summary>
    public IReadOnlyList<string> Layers => [.. _gradientNames.Select(n => n[(MetricNames.GradientNorm.Length + 1)..])];

    /// <summary>Gets whether a weight snapshot is held for the next <see cref="Collect"/>.</summary>
    public bool HasSnapshot => _snapshot is not null;

    /// <summary>
    /// The layer name of a parameter: its module path without the parameter's own name, each part without leading
    /// underscores (TorchSharp registers a field <c>_conv1</c> as <c>_conv1</c>).
    /// </summary>
    internal static string LayerName(string parameterName)
    {
        var dot = parameterName.LastIndexOf('.');
        var path = dot < 0 ? parameterName : parameterName[..dot];
        var parts = path.Split('.');
        for (var i = 0; i < parts.Length; i++)
        {
            var trimmed = parts[i].TrimStart('_');
            parts[i] = trimmed.Length == 0 ? parts[i] : trimmed;
        }

        return string.Join('.', parts);
    }

    /// <summary>Copies the weights as they are now, so the next <see cref="Collect"/> can measure the update since.</summary>
    public void Snapshot()
    {
        ReleaseSnapshot();
        var snapshot = new Tensor?[_parameters.Length];
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            for (var i = 0; i < _parameters.Length; i++)
            {
                // Not in any dispose scope: this class disposes it in Collect or Dispose.
                snapshot[i] = _parameters[i].detach().clone().DetachFromDisposeScope();
            }
        }
        catch
        {
            foreach (var tensor in snapshot)
            {
                tensor?.Dispose();
            }

            throw;
        }

        _snapshot = snapshot;
    }

    /// <summary>Adds the per-layer and global statistics to <paramref name="values"/> and releases the snapshot.</summary>
    public void Collect(Dictionary<string, double> values)
    {
        var snapshot = _snapshot;
        _snapshot = null;
        try
        {
            CollectCore(values, snapshot);
        }
        finally
        {
            if (snapshot is not null)
            {
                foreach (var tensor in snapshot)
                {
                    tensor?.Dispose();
                }
            }
        }
    }

    public void Dispose() => ReleaseSnapshot();

    private void CollectCore(Dictionary<string, double> values, Tensor?[]? snapshot)
    {
        var count = _parameters.Length;
        if (count == 0)
        {
            return;
        }

        // Per parameter up to four L2 norms, all reduced on the device in the tensor's own precision and stacked: the
        // gradient's (when it has one), the weight's, and with a snapshot the previous weight's and the update's.
        var hasGrad = new bool[count];
        var hasPrevious = new bool[count];
        float[] norms;
        using (NewDisposeScope())
        using (no_grad())
        {
            var parts = new List<Tensor>(4 * count);
            for (var i = 0; i < count; i++)
            {
                var parameter = _parameters[i];
                if (parameter.grad is { } grad)
                {
                    parts.Add(grad.norm());
                    hasGrad[i] = true;
                }

                parts.Add(parameter.norm());
                var previous = snapshot?[i];
                if (previous is not null && previous.numel() == parameter.numel())
                {
                    parts.Add(previous.norm());
                    parts.Add(parameter.sub(previous).norm());
                    hasPrevious[i] = true;
                }
            }

            // One device-to-host copy (and so one synchronisation) for everything.
            var stacked = stack(parts);
            norms = (stacked.dtype == ScalarType.Float32 ? stacked : stacked.to_type(ScalarType.Float32)).cpu().data<float>().ToArray();
        }

        var sums = new double[4 * count];
        var next = 0;
        for (var i = 0; i < count; i++)
        {
            sums[4 * i] = hasGrad[i] ? Square(norms[next++]) : -1;
            sums[(4 * i) + 1] = Square(norms[next++]);
            (sums[(4 * i) + 2], sums[(4 * i) + 3]) = hasPrevious[i] ? (Square(norms[next++]), Square(norms[next++])) : (-1, -1);
        }

        const int Width = 4;
        var layers = _gradientNames.Length;
        var gradient = new double[layers];
        var weight = new double[layers];
        var before = new double[layers];
        var update = new double[layers];
        var hasGradient = new bool[layers];
        var hasUpdate = new bool[layers];
        double totalGradient = 0, totalWeight = 0, totalBefore = 0, totalUpdate = 0;
        bool anyGradient = false, anyUpdate = false;
        for (var i = 0; i < count; i++)
        {
            var layer = _layerOfParameter[i];
            var (g, w, b, u) = (sums[Width * i], sums[(Width * i) + 1], sums[(Width * i) + 2], sums[(Width * i) + 3]);
            if (g >= 0)
            {
                gradient[layer] += g;
                hasGradient[layer] = true;
                totalGradient += g;
                anyGradient = true;
            }

            weight[layer] += w;
            totalWeight += w;
            if (u >= 0)
            {
                before[layer] += b;
                update[layer] += u;
                hasUpdate[layer] = true;
                totalBefore += b;
                totalUpdate += u;
                anyUpdate = true;
            }
        }

        for (var layer = 0; layer < layers; layer++)
        {
            if (hasGradient[layer])
            {
                values[_gradientNames[layer]] = Math.Sqrt(gradient[layer]);
            }

            values[_weightNames[layer]] = Math.Sqrt(weight[layer]);
            if (hasUpdate[layer] && before[layer] > 0)
            {
                values[_ratioNames[layer]] = Math.Sqrt(update[layer] / before[layer]);
            }
        }

        if (anyGradient)
        {
            values[MetricNames.GradientNorm] = Math.Sqrt(totalGradient);
        }

        values[MetricNames.WeightNorm] = Math.Sqrt(totalWeight);
        if (anyUpdate && totalBefore > 0)
        {
            values[MetricNames.UpdateRatio] = Math.Sqrt(totalUpdate / totalBefore);
        }
    }

    private static double Square(float norm) => (double)norm * norm;

    private void ReleaseSnapshot()
    {
        var snapshot = _snapshot;
        _snapshot = null;
        if (snapshot is not null)
        {
            foreach (var tensor in snapshot)
            {
                tensor?.Dispose();
            }
        }
    }
}
