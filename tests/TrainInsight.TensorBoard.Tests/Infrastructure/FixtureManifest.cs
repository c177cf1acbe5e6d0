using System.Globalization;
using System.Text.RegularExpressions;

namespace TrainInsight.TensorBoard.Tests.Infrastructure;

/// <summary>One fixture row of MANIFEST.md: what the file holds, as its curator counted it.</summary>
internal sealed record FixtureEntry(
    string RelativePath,
    long Bytes,
    int Records,
    IReadOnlyDictionary<string, int> EventKinds,
    long MinStep,
    long MaxStep,
    IReadOnlyList<(string Tag, string Kind, int Count)> Tags)
{
    public override string ToString() => RelativePath;
}

/// <summary>Reads the fixture table rows of MANIFEST.md.</summary>
internal static partial class FixtureManifest
{
    private static readonly Lazy<IReadOnlyList<FixtureEntry>> s_entries = new(() => Parse(File.ReadAllLines(Fixtures.Manifest)));

    public static IReadOnlyList<FixtureEntry> Entries => s_entries.Value;

    public static FixtureEntry Entry(string relativePath) => Entries.Single(e => e.RelativePath == relativePath);

    public static IReadOnlyList<FixtureEntry> Parse(IEnumerable<string> lines)
    {
        var entries = new List<FixtureEntry>();
        foreach (var line in lines)
        {
            var row = RowPattern().Match(line);
            if (!row.Success)
            {
                continue;
            }

            var contents = ContentsPattern().Match(row.Groups["contents"].Value);
            if (!contents.Success)
            {
                throw new FormatException($"MANIFEST.md row not understood: {line}");
            }

            var kinds = EventKindPattern().Matches(contents.Groups["events"].Value)
                .ToDictionary(m => m.Groups["kind"].Value, m => int.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture));
            var tags = TagPattern().Matches(contents.Groups["tags"].Value)
                .Select(m => (m.Groups["tag"].Value, m.Groups["kind"].Value, int.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture)))
                .ToList();
            entries.Add(new FixtureEntry(
                row.Groups["file"].Value,
                long.Parse(row.Groups["bytes"].Value, CultureInfo.InvariantCulture),
                int.Parse(contents.Groups["records"].Value, CultureInfo.InvariantCulture),
                kinds,
                long.Parse(contents.Groups["min"].Value, CultureInfo.InvariantCulture),
                long.Parse(contents.Groups["max"].Value, CultureInfo.InvariantCulture),
                tags));
        }

        return entries;
    }

    [GeneratedRegex(@"^\| `(?<file>[^`]+)` \| (?<bytes>\d+) \| [^|]+ \| (?<contents>.+) \|$")]
    private static partial Regex RowPattern();

    [GeneratedRegex(@"^(?<records>\d+) records; events: (?<events>[^;]+); steps (?<min>\d+)\.\.(?<max>\d+); tags: (?<tags>.*)$")]
    private static partial Regex ContentsPattern();

    [GeneratedRegex(@"(?<kind>[a-z_]+) x(?<count>\d+)")]
    private static partial Regex EventKindPattern();

    [GeneratedRegex(@"`(?<tag>[^`]+)` \((?<kind>[^ )]+) x(?<count>\d+)\)")]
    private static partial Regex TagPattern();
}
