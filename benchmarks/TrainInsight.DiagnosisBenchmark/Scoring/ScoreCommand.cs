using System.Diagnostics;
using System.Text.Json;
using TrainInsight.DiagnosisBenchmark.Traces;

namespace TrainInsight.DiagnosisBenchmark.Scoring;

/// <summary><c>score --traces DIR [--models cnn] [--format text|json] [--out FILE_PREFIX]</c>: replays every trace through the diagnosis.</summary>
internal static class ScoreCommand
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static int Run(Arguments args)
    {
        var traces = args.Require("traces");
        var models = args.List("models");
        var format = args.Get("format") ?? "text";
        var output = args.Get("out");
        args.RejectUnknown();
        if (format is not ("text" or "json"))
        {
            throw new UsageException("--format must be text or json.");
        }

        var timer = Stopwatch.StartNew();
        var report = Score(traces, models);
        var name = models is null ? Path.GetFileName(Path.GetFullPath(traces)) : string.Join("+", models);
        var markdown = report.ToMarkdown(name);
        var json = JsonSerializer.Serialize(report.ToJson(name), Json);
        Console.WriteLine(format == "json" ? json : markdown);
        if (output is not null)
        {
            Write(output, markdown, json);
        }

        Console.Error.WriteLine($"Scored {report.Runs.Count} traces in {timer.Elapsed.TotalSeconds:F1} s.");
        return 0;
    }

    public static ScoreReport Score(string traces, IReadOnlyCollection<string>? models)
    {
        if (!Directory.Exists(traces))
        {
            throw new UsageException($"No such folder: '{traces}' (with eng/torch-env.sh, a folder outside the repository must be listed in TRAININSIGHT_TORCH_EXTRA_MOUNTS).");
        }

        var files = TraceFile.List(traces, models);
        if (files.Count == 0)
        {
            throw new UsageException($"No traces (*.jsonl) for models '{string.Join(",", models ?? [])}' in '{traces}'.");
        }

        var runs = files.AsParallel().AsOrdered().Select(f => TraceScorer.Score(TraceFile.Read(f))).ToList();
        return ScoreReport.Create(runs);
    }

    public static void Write(string prefix, string markdown, string json)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(prefix));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(prefix + ".md", markdown);
        File.WriteAllText(prefix + ".json", json);
    }
}
