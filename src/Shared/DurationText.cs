// Shared source: compiled into each TrainInsight package as an internal helper (no public API).
using System.Globalization;

namespace TrainInsight.Internal;

/// <summary>Writes durations as people read them in messages: "250 ms", "1 second", "10 minutes", "2 h 5 min".</summary>
internal static class DurationText
{
    public static string Describe(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "zero";
        }

        if (duration < TimeSpan.Zero)
        {
            return "-" + Describe(duration.Negate());
        }

        if (duration < TimeSpan.FromSeconds(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0.###} ms");
        }

        if (duration.Ticks % TimeSpan.TicksPerDay == 0)
        {
            return Plural((long)duration.TotalDays, "day");
        }

        if (duration.Ticks % TimeSpan.TicksPerHour == 0)
        {
            return Plural((long)duration.TotalHours, "hour");
        }

        if (duration.Ticks % TimeSpan.TicksPerMinute == 0)
        {
            return Plural((long)duration.TotalMinutes, "minute");
        }

        if (duration < TimeSpan.FromMinutes(1))
        {
            return duration.Ticks % TimeSpan.TicksPerSecond == 0
                ? Plural((long)duration.TotalSeconds, "second")
                : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.###} s");
        }

        // Longer and uneven (a measured silence, say): the two largest units, rounded to the second.
        var rounded = TimeSpan.FromSeconds(Math.Round(duration.TotalSeconds));
        return rounded.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(long)rounded.TotalHours} h {rounded.Minutes} min")
            : string.Create(CultureInfo.InvariantCulture, $"{rounded.Minutes} min {rounded.Seconds} s");
    }

    private static string Plural(long count, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{count:N0} {unit}{(count == 1 ? string.Empty : "s")}");
}
