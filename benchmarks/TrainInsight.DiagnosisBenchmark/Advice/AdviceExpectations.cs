namespace TrainInsight.DiagnosisBenchmark.Advice;

/// <summary>Which way a suggestion moves its parameter.</summary>
internal enum Direction
{
    /// <summary>No number and no fix that says which way (a learning-rate suggestion without a value, from a model).</summary>
    Unknown,

    /// <summary>Lowered.</summary>
    Down,

    /// <summary>Raised (or turned on from an implicit 0: dropout, label smoothing, ...).</summary>
    Up,

    /// <summary>A change that is neither up nor down: a code change, a search (learning-rate finder), a stop.</summary>
    Change,
}

/// <summary>What an expected target asks of a suggestion's direction.</summary>
internal enum Want
{
    /// <summary>Naming the parameter (or fix) is enough: changes without a number (shuffle, call zero_grad, stop).</summary>
    Any,

    /// <summary>The parameter lowered.</summary>
    Down,

    /// <summary>The parameter raised.</summary>
    Up,
}

/// <summary>One acceptable piece of advice: a parameter or fix id, and the direction it must move in.</summary>
/// <param name="Key">A suggestion's parameter (<c>learning_rate</c>, <c>shuffle</c>) or the diagnosis's fix id behind it (<c>call_zero_grad</c>).</param>
/// <param name="Want">The direction required.</param>
internal sealed record AdviceTarget(string Key, Want Want)
{
    public override string ToString() => Want switch
    {
        Want.Down => Key + " ↓",
        Want.Up => Key + " ↑",
        _ => Key,
    };
}

/// <summary>The advice a competent ML engineer would accept for one true label.</summary>
/// <param name="Label">The trace's true label.</param>
/// <param name="Targets">Any one of them is a hit; empty for healthy runs (where nothing is the right answer).</param>
/// <param name="Why">Why these, in a sentence (the report and the documentation quote it).</param>
internal sealed record AdviceExpectation(string Label, IReadOnlyList<AdviceTarget> Targets, string Why);

/// <summary>
/// The expected-advice table: per true label, the parameters (with direction) or fix ids that address the injected fault.
/// Keys are a suggestion's parameter or, for the rules' answers, the diagnosis fix behind it (see <see cref="SuggestionReader"/>);
/// a model may name either. Written from the fault each scenario injects (docs/diagnosis-benchmark.md), not from what the
/// assistant happens to say.
/// </summary>
internal static class AdviceExpectations
{
    private const string GradientClipNorm = "gradient_clip_norm";

    private static readonly AdviceExpectation[] s_table =
    [
        new(FindingLabels.Healthy, [], "Nothing is wrong: an empty suggestion list is right; anything suggested is a false alarm."),
        new(FindingLabels.Divergence,
            [Down(HyperparameterNames.LearningRate), Any(GradientClipNorm), Any("restart_lower_learning_rate")],
            "The loss blew up because the steps are too large (a rate of 0.1 with Adam, 3.0 with SGD, or a ×100 spike): a lower rate, or clipping."),
        new(FindingLabels.LearningRateTooHigh,
            [Down(HyperparameterNames.LearningRate), Any(HyperparameterNames.LearningRateSchedule), Up(HyperparameterNames.BatchSize), Down(HyperparameterNames.Momentum)],
            "The loss oscillates at SGD 0.05–0.07 with momentum 0.9 at batch 16: a lower rate (or a decaying schedule), less momentum, or a larger batch at the same rate."),
        new(FindingLabels.LearningRateTooLow,
            [Up(HyperparameterNames.LearningRate), Any("learning_rate_finder")],
            "SGD at 1e-5 barely moves: a higher rate, or a range test to find one."),
        new(FindingLabels.ExplodingGradients,
            [Down(HyperparameterNames.LearningRate), Any(GradientClipNorm), Any("fix_initialisation")],
            "8 ReLU layers with N(0,1) weights: the cause is the initialisation; clipping or a lower rate contain it."),
        new(FindingLabels.VanishingGradients,
            [Any("use_relu"), Any("add_normalisation"), Any("fix_initialisation"), Any("shallower_model")],
            "10 sigmoid layers: an architecture fault (activation, normalisation, initialisation, depth); no hyperparameter fixes it."),
        new(FindingLabels.DyingRelu,
            [Any("use_leaky_relu"), Any("fix_bias_initialisation"), Any("fix_initialisation"), Down(HyperparameterNames.LearningRate)],
            "Hidden biases of −5 (or steps that killed the units): LeakyReLU/GELU, a sane initialisation, or a lower rate."),
        new(FindingLabels.SaturatedActivations,
            [Any("fix_initialisation"), Any("add_normalisation"), Any("use_relu")],
            "Sigmoid with N(0,5²) weights: initialisation, normalisation or a non-saturating activation."),
        new(FindingLabels.Overfitting,
            [
                Up(HyperparameterNames.WeightDecay), Up("dropout"), Any("stop"), Any("checkpoint_and_stop"), Any("early_stopping_patience"),
                Down(HyperparameterNames.Epochs), Any("regularise"), Any(HyperparameterNames.Augmentation),
            ],
            "A large network on 1,000 images: regularise (weight decay, dropout, augmentation) or stop early."),
        new(FindingLabels.Plateau,
            [
                Any(HyperparameterNames.LearningRate), Any(HyperparameterNames.LearningRateSchedule), Any("learning_rate_finder"), Any("stop"),
                Any("checkpoint_and_stop"), Any("early_stopping_patience"), Down(HyperparameterNames.Epochs),
            ],
            "Constant SGD 0.1 with no schedule: change the rate (decay it, add a schedule, search) or stop."),
        new(FindingLabels.LabelNoise,
            [Any("label_smoothing"), Any("audit_labels")],
            "Half the training labels shuffled: clean the labels or train with label smoothing / a noise-robust loss."),
        new(FindingLabels.UnnormalizedInput,
            [Any("normalize_inputs"), Any("add_input_normalisation_layer"), Any("add_normalisation")],
            "Raw 0–255 pixels: normalise the inputs (or a normalisation layer in front)."),
        new(FindingLabels.UnshuffledData,
            [Any(HyperparameterNames.Shuffle), Any("shuffle_data")],
            "Class-sorted batches, never shuffled: shuffle."),
        new(FindingLabels.MissingZeroGrad,
            [Any("call_zero_grad")],
            "zero_grad() is never called: call it. A lower rate only delays the blow-up, so it is not counted."),
        new(FindingLabels.DataLoaderBottleneck,
            [Any("prefetch_batches"), Any("cache_decoded_data"), Up("num_workers")],
            "A 30 ms sleep per batch in the loader: load in the background (workers, prefetching) or cache."),
    ];

    private static readonly Dictionary<string, AdviceExpectation> s_byLabel = s_table.ToDictionary(e => e.Label, StringComparer.Ordinal);

    /// <summary>Gets the table, healthy first.</summary>
    public static IReadOnlyList<AdviceExpectation> All => s_table;

    /// <summary>The expectation of a true label.</summary>
    /// <exception cref="InvalidDataException">The label has no row (a trace with a label the table does not know).</exception>
    public static AdviceExpectation For(string label) =>
        s_byLabel.TryGetValue(label, out var expectation)
            ? expectation
            : throw new InvalidDataException($"No expected advice for the label '{label}': add it to AdviceExpectations.");

    /// <summary>The first target a suggestion meets, or null.</summary>
    /// <param name="expectation">The expectation.</param>
    /// <param name="suggestion">The suggestion, read.</param>
    /// <param name="ignoreDirection">Whether naming the key is enough (the parameter-only score).</param>
    public static AdviceTarget? Match(AdviceExpectation expectation, ReadSuggestion suggestion, bool ignoreDirection = false) =>
        expectation.Targets.FirstOrDefault(t =>
            (string.Equals(t.Key, suggestion.Parameter, StringComparison.Ordinal) || string.Equals(t.Key, suggestion.FixId, StringComparison.Ordinal)) &&
            (ignoreDirection || t.Want switch
            {
                Want.Down => suggestion.Direction == Direction.Down,
                Want.Up => suggestion.Direction == Direction.Up,
                _ => true,
            }));

    private static AdviceTarget Down(string key) => new(key, Want.Down);

    private static AdviceTarget Up(string key) => new(key, Want.Up);

    private static AdviceTarget Any(string key) => new(key, Want.Any);
}
