// Shared source: compiled into each TrainInsight package as an internal helper (no public API).
using System.Globalization;
using System.Runtime.CompilerServices;

namespace TrainInsight.Internal;

/// <summary>
/// The range checks of every <c>XxxOptions</c> setter, so that each setting fails the same way: an
/// <see cref="ArgumentOutOfRangeException"/> whose parameter is the property and whose message says the allowed range.
/// </summary>
internal static class OptionsGuard
{
    /// <summary>Returns <paramref name="value"/> when it is from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static int InRange(int value, int min, int max, [CallerMemberName] string name = "") =>
        value >= min && value <= max ? value : throw OutOfRange(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} must be between {min:N0} and {max:N0}."));

    /// <summary>Returns <paramref name="value"/> when it is from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static long InRange(long value, long min, long max, [CallerMemberName] string name = "") =>
        value >= min && value <= max ? value : throw OutOfRange(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} must be between {min:N0} and {max:N0}."));

    /// <summary>Returns <paramref name="value"/> when it is a finite number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static double InRange(double value, double min, double max, [CallerMemberName] string name = "") =>
        double.IsFinite(value) && value >= min && value <= max
            ? value
            : throw OutOfRange(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} must be a finite number between {min:G} and {max:G}."));

    /// <summary>Returns <paramref name="value"/> when it is a finite number above <paramref name="exclusiveMin"/> and at most <paramref name="max"/>.</summary>
    public static double AboveAndAtMost(double value, double exclusiveMin, double max, [CallerMemberName] string name = "") =>
        double.IsFinite(value) && value > exclusiveMin && value <= max
            ? value
            : throw OutOfRange(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} must be a finite number greater than {exclusiveMin:G} and at most {max:G}."));

    /// <summary>Returns <paramref name="value"/> when it is a finite number of at least <paramref name="min"/> and below <paramref name="exclusiveMax"/>.</summary>
    public static double AtLeastAndBelow(double value, double min, double exclusiveMax, [CallerMemberName] string name = "") =>
        double.IsFinite(value) && value >= min && value < exclusiveMax
            ? value
            : throw OutOfRange(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} must be a finite number of at least {min:G} and less than {exclusiveMax:G}."));

    /// <summary>Returns <paramref name="value"/> when it is at least <paramref name="min"/>.</summary>
    public static int AtLeast(int value, int min, [CallerMemberName] string name = "") =>
        value >= min ? value : throw OutOfRange(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} must be at least {min:N0}."));

    /// <summary>Returns <paramref name="value"/> when it is a finite number of at least <paramref name="min"/>.</summary>
    public static double AtLeast(double value, double min, [CallerMemberName] string name = "") =>
        double.IsFinite(value) && value >= min
            ? value
            : throw OutOfRange(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} must be a finite number of at least {min:G}."));

    /// <summary>Returns <paramref name="value"/> when it is from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static TimeSpan InRange(TimeSpan value, TimeSpan min, TimeSpan max, [CallerMemberName] string name = "") =>
        value >= min && value <= max ? value : throw OutOfRange(name, value, $"{name} must be between {DurationText.Describe(min)} and {DurationText.Describe(max)}.");

    /// <summary>Returns <paramref name="value"/> when it is <see langword="null"/> or from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static TimeSpan? InRangeOrNull(TimeSpan? value, TimeSpan min, TimeSpan max, [CallerMemberName] string name = "") =>
        value is not { } v || (v >= min && v <= max)
            ? value
            : throw OutOfRange(name, v, $"{name} must be null or between {DurationText.Describe(min)} and {DurationText.Describe(max)}.");

    /// <summary>Returns <paramref name="value"/> when it is <see langword="null"/> or from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static int? InRangeOrNull(int? value, int min, int max, [CallerMemberName] string name = "") =>
        value is not { } v || (v >= min && v <= max)
            ? value
            : throw OutOfRange(name, v, string.Create(CultureInfo.InvariantCulture, $"{name} must be null or between {min:N0} and {max:N0}."));

    /// <summary>Returns <paramref name="value"/> when it is <see langword="null"/> or at least <paramref name="min"/>.</summary>
    public static TimeSpan? AtLeastOrNull(TimeSpan? value, TimeSpan min, [CallerMemberName] string name = "") =>
        value is not { } v || v >= min ? value : throw OutOfRange(name, v, $"{name} must be null or at least {DurationText.Describe(min)}.");

    /// <summary>Returns <paramref name="value"/> when it is <see langword="null"/> or at least <paramref name="min"/>.</summary>
    public static int? AtLeastOrNull(int? value, int min, [CallerMemberName] string name = "") =>
        value is not { } v || v >= min ? value : throw OutOfRange(name, v, string.Create(CultureInfo.InvariantCulture, $"{name} must be null or at least {min:N0}."));

    /// <summary>Returns <paramref name="value"/> when it is a defined member of its enum.</summary>
    public static TEnum Defined<TEnum>(TEnum value, [CallerMemberName] string name = "")
        where TEnum : struct, Enum =>
        Enum.IsDefined(value) ? value : throw OutOfRange(name, value, $"{name} must be one of {string.Join(", ", Enum.GetNames<TEnum>())}; {value} is not.");

    private static ArgumentOutOfRangeException OutOfRange(string name, object value, string message) => new(name, value, message);
}
