using System.Globalization;

namespace TrainInsight;

/// <summary>
/// One hyperparameter of a run: a finite number, a text or a boolean, as TensorBoard's hparams and experiment trackers
/// record them. Numbers, strings and booleans convert to it implicitly:
/// <c>Hyperparameters = new Dictionary&lt;string, HyperparameterValue&gt; { ["optimizer"] = "adam", ["learning_rate"] = 1e-3 }</c>.
/// </summary>
public readonly struct HyperparameterValue : IEquatable<HyperparameterValue>
{
    /// <summary>The longest text a value may hold: 1,024 characters.</summary>
    public const int MaxTextLength = 1_024;

    private readonly double _number;
    private readonly string? _text;

    private HyperparameterValue(HyperparameterKind kind, double number, string? text)
    {
        Kind = kind;
        _number = number;
        _text = text;
    }

    /// <summary>Gets what the value holds.</summary>
    public HyperparameterKind Kind { get; }

    /// <summary>Gets the number.</summary>
    /// <exception cref="InvalidOperationException">The value is not a <see cref="HyperparameterKind.Number"/>.</exception>
    public double Number => Kind == HyperparameterKind.Number ? _number : throw WrongKind(HyperparameterKind.Number);

    /// <summary>Gets the text.</summary>
    /// <exception cref="InvalidOperationException">The value is not a <see cref="HyperparameterKind.Text"/>.</exception>
    public string Text => Kind == HyperparameterKind.Text ? _text! : throw WrongKind(HyperparameterKind.Text);

    /// <summary>Gets the boolean.</summary>
    /// <exception cref="InvalidOperationException">The value is not a <see cref="HyperparameterKind.Boolean"/>.</exception>
    public bool Boolean => Kind == HyperparameterKind.Boolean ? _number != 0 : throw WrongKind(HyperparameterKind.Boolean);

    /// <summary>Converts a number.</summary>
    /// <param name="value">The number.</param>
    public static implicit operator HyperparameterValue(double value) => FromNumber(value);

    /// <summary>Converts a text.</summary>
    /// <param name="value">The text.</param>
    public static implicit operator HyperparameterValue(string value) => FromText(value);

    /// <summary>Converts a boolean.</summary>
    /// <param name="value">The boolean.</param>
    public static implicit operator HyperparameterValue(bool value) => FromBoolean(value);

    /// <summary>Compares two values.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns>Whether they hold the same kind and the same number, text or boolean.</returns>
    public static bool operator ==(HyperparameterValue left, HyperparameterValue right) => left.Equals(right);

    /// <summary>Compares two values.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns>Whether they differ in kind or content.</returns>
    public static bool operator !=(HyperparameterValue left, HyperparameterValue right) => !left.Equals(right);

    /// <summary>Creates a number value.</summary>
    /// <param name="value">A finite number.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or infinite.</exception>
    public static HyperparameterValue FromNumber(double value) => double.IsFinite(value)
        ? new HyperparameterValue(HyperparameterKind.Number, value, null)
        : throw new ArgumentOutOfRangeException(nameof(value), value, "A hyperparameter must be a finite number.");

    /// <summary>Creates a text value.</summary>
    /// <param name="value">At most <see cref="MaxTextLength"/> characters.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentException"><paramref name="value"/> is longer than <see cref="MaxTextLength"/>.</exception>
    public static HyperparameterValue FromText(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length <= MaxTextLength
            ? new HyperparameterValue(HyperparameterKind.Text, 0, value)
            : throw new ArgumentException($"A hyperparameter's text may have at most {MaxTextLength:N0} characters; this one has {value.Length:N0}.", nameof(value));
    }

    /// <summary>Creates a boolean value.</summary>
    /// <param name="value">The boolean.</param>
    /// <returns>The value.</returns>
    public static HyperparameterValue FromBoolean(bool value) => new(HyperparameterKind.Boolean, value ? 1 : 0, null);

    /// <inheritdoc />
    public bool Equals(HyperparameterValue other) =>
        Kind == other.Kind && _number.Equals(other._number) && string.Equals(_text, other._text, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is HyperparameterValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, _number, _text);

    /// <summary>Writes the value as it reads in a message: the number (round-trippable, invariant), the text, or true/false.</summary>
    /// <returns>The value's text.</returns>
    public override string ToString() => Kind switch
    {
        HyperparameterKind.Number => _number.ToString("R", CultureInfo.InvariantCulture),
        HyperparameterKind.Text => _text!,
        _ => _number != 0 ? "true" : "false",
    };

    private InvalidOperationException WrongKind(HyperparameterKind wanted) =>
        new($"The hyperparameter holds a {Kind.ToString().ToLowerInvariant()}, not a {wanted.ToString().ToLowerInvariant()}.");
}
