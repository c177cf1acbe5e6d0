using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TrainInsight.Torch.Internal;

/// <summary>
/// Forward hooks on a model's ReLU, sigmoid and tanh modules. While <see cref="Armed"/>, each hooked forward pass computes
/// one scalar on the device (the share of dead ReLU units or of saturated units), copies it out and keeps no tensor;
/// otherwise a hook costs one field read.
/// </summary>
internal sealed class ActivationMonitor : IDisposable
{
    /// <summary>Sigmoid outputs below this or above 1 minus this are saturated.</summary>
    internal const double SigmoidMargin = 0.01;

    /// <summary>Tanh outputs whose magnitude is above this are saturated.</summary>
    internal const double TanhLimit = 0.99;

    private readonly List<Action> _removers = [];
    private readonly string[] _names;
    private readonly Kind[] _kinds;
    private readonly double[] _values;
    private readonly bool[] _seen;
    private readonly string[] _ownNames = [MetricNames.DeadRelu, MetricNames.Saturation];
    private long _errors;

    public ActivationMonitor(nn.Module model)
    {
        var names = new List<string>();
        var kinds = new List<Kind>();
        try
        {
            Register(model, names, kinds);
        }
        catch
        {
            // No hook of a monitor that failed may stay on the model.
            Dispose();
            throw;
        }

        _names = [.. names];
        _kinds = [.. kinds];
        _values = new double[_names.Length];
        _seen = new bool[_names.Length];
    }

    private void Register(nn.Module model, List<string> names, List<Kind> kinds)
    {
        foreach (var (name, module) in model.named_modules())
        {
            Kind kind;
            switch (module)
            {
                case ReLU:
                    kind = Kind.Relu;
                    break;
                case Sigmoid:
                    kind = Kind.Sigmoid;
                    break;
                case Tanh:
                    kind = Kind.Tanh;
                    break;
                default:
                    continue;
            }

            var index = names.Count;

            // The module's own path is the layer: "relu1", "block1.relu2".
            var layer = LayerStatisticsCollector.LayerName(name + ".x");
            names.Add(MetricNames.ForLayer(kind == Kind.Relu ? MetricNames.DeadRelu : MetricNames.Saturation, layer));
            kinds.Add(kind);
            var hooked = (nn.Module<Tensor, Tensor>)module;
            var remover = hooked.register_forward_hook((_, _, output) =>
            {
                if (Armed)
                {
                    Observe(index, output);
                }

                // Null keeps the module's output unchanged.
                return null!;
            });
            _removers.Add(remover.remove);
        }
    }

    /// <summary>Gets the number of hooked modules.</summary>
    public int Count => _names.Length;

    /// <summary>Gets or sets whether the hooks compute statistics on the next forward passes.</summary>
    public bool Armed { get; set; }

    /// <summary>Gets how many observations failed.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Adds what the hooks saw since the last call (the last forward pass wins) and forgets it.</summary>
    public void Collect(Dictionary<string, double> values)
    {
        double deadSum = 0, saturationSum = 0;
        int deadCount = 0, saturationCount = 0;
        for (var i = 0; i < _names.Length; i++)
        {
            if (!_seen[i])
            {
                continue;
            }

            _seen[i] = false;
            values[_names[i]] = _values[i];
            if (_kinds[i] == Kind.Relu)
            {
                deadSum += _values[i];
                deadCount++;
            }
            else
            {
                saturationSum += _values[i];
                saturationCount++;
            }
        }

        if (deadCount > 0)
        {
            values[_ownNames[0]] = deadSum / deadCount;
        }

        if (saturationCount > 0)
        {
            values[_ownNames[1]] = saturationSum / saturationCount;
        }
    }

    /// <summary>Removes the hooks.</summary>
    public void Dispose()
    {
        Armed = false;
        foreach (var remove in _removers)
        {
            remove();
        }

        _removers.Clear();
    }

    private void Observe(int index, Tensor output)
    {
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var x = output.detach();
            var flags = _kinds[index] switch
            {
                // A unit is dead when it is zero for every sample of the batch: a channel of a feature map (zero at every
                // position too), a feature of a [batch, features] output.
                Kind.Relu => Units(x).gt(0).any(1).logical_not(),
                Kind.Sigmoid => x.lt(SigmoidMargin).logical_or(x.gt(1 - SigmoidMargin)),
                _ => x.abs().gt(TanhLimit),
            };
            var share = flags.to_type(ScalarType.Float64).mean().item<double>();

            _values[index] = share;
            _seen[index] = true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _errors);
        }
    }

    /// <summary>The output as [units, values]: channels for [N, C, ...], features for [N, F], elements for one dimension.</summary>
    private static Tensor Units(Tensor x) => x.dim() switch
    {
        >= 3 => x.transpose(0, 1).flatten(1),
        2 => x.t(),
        _ => x.reshape(-1, 1),
    };

    private enum Kind : byte
    {
        Relu,
        Sigmoid,
        Tanh,
    }
}
