namespace TrainInsight.Diagnostics.Internal;

/// <summary>The signals one metric update carried, reused for every update of a run (no allocation per event).</summary>
internal sealed class SignalFrame
{
    private readonly double[] _values = new double[SignalNames.Count];
    private readonly string[] _names = new string[SignalNames.Count];

    public int Present { get; private set; }

    public long Step { get; private set; }

    public int? Epoch { get; private set; }

    /// <summary>The gradient norm of the first and the last layer that reported one, when at least two did.</summary>
    public double FirstLayerGradient { get; private set; }

    public double LastLayerGradient { get; private set; }

    public string? FirstLayer { get; private set; }

    public string? LastLayer { get; private set; }

    public bool HasLayerGradients => FirstLayer is not null && LastLayer is not null && !ReferenceEquals(FirstLayer, LastLayer);

    public double this[Signal signal] => _values[(int)signal];

    public bool Has(Signal signal) => (Present & (1 << (int)signal)) != 0;

    /// <summary>The trainer's own name for a signal in this update (an alias stays as it was sent).</summary>
    public string NameOf(Signal signal) => _names[(int)signal] ?? SignalNames.Of(signal);

    public void Reset(long step, int? epoch)
    {
        Present = 0;
        Step = step;
        Epoch = epoch;
        FirstLayer = null;
        LastLayer = null;
    }

    public void Set(Signal signal, string name, double value)
    {
        _values[(int)signal] = value;
        _names[(int)signal] = name;
        Present |= 1 << (int)signal;
    }

    public void SetLayerGradient(int layerIndex, string layer, double value, int firstIndex, int lastIndex)
    {
        if (layerIndex == firstIndex)
        {
            FirstLayer = layer;
            FirstLayerGradient = value;
        }

        if (layerIndex == lastIndex)
        {
            LastLayer = layer;
            LastLayerGradient = value;
        }
    }
}
