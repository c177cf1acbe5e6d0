using System.Diagnostics;
using System.Text.Json;
using TrainInsight.DiagnosisBenchmark.Fixes;
using TrainInsight.DiagnosisBenchmark.Generation;
using TrainInsight.DiagnosisBenchmark.Models;
using TrainInsight.DiagnosisBenchmark.Scoring;
using TrainInsight.Torch.Vision;

namespace TrainInsight.DiagnosisBenchmark;

/// <summary>
/// <c>all [--out DIR] [--seeds 3] [--scenarios a,b] [--data DIR] [--skip-existing]</c>: generate both model families, score the MLP set (the
/// tune set) and the CNN set (the report set), and measure fix efficacy on the CNN set; everything under DIR.
/// </summary>
internal static class AllCommand
{
    public static int Run(Arguments args)
    {
        var output = args.Get("out") ?? Path.Combine("artifacts", "diagnosis-benchmark");
        var seeds = args.Int("seeds", 3);
        var data = args.Get("data") ?? FashionMnist.DefaultDirectory;
        var skipExisting = args.Flag("skip-existing");
        var scenarios = args.List("scenarios")?.Select(ScenarioCatalog.Get).ToList() ?? [.. ScenarioCatalog.All];
        args.RejectUnknown();
        var timer = Stopwatch.StartNew();
        var traces = Path.Combine(output, "traces");
        GenerateCommand.Generate(traces, ModelFactory.Families, seeds, scenarios, data, skipExisting);
        var generated = timer.Elapsed;
        foreach (var (model, set) in new[] { (ModelFactory.Mlp, "tune"), (ModelFactory.Cnn, "report") })
        {
            var report = ScoreCommand.Score(traces, [model]);
            var name = $"{model} ({set} set)";
            ScoreCommand.Write(Path.Combine(output, $"score-{model}"), report.ToMarkdown(name), JsonSerializer.Serialize(report.ToJson(name), ScoreCommand.Json));
            Console.WriteLine(report.ToMarkdown(name));
        }

        var scored = timer.Elapsed;
        FixEfficacyCommand.Evaluate(traces, Path.Combine(output, "fix"), [ModelFactory.Cnn], null, data);
        var summary = $"all: generate {generated.TotalMinutes:F1} min, score {(scored - generated).TotalSeconds:F1} s, fix {(timer.Elapsed - scored).TotalMinutes:F1} min, total {timer.Elapsed.TotalMinutes:F1} min";
        File.WriteAllText(Path.Combine(output, "timing.txt"), summary + Environment.NewLine);
        Console.WriteLine(summary);
        return 0;
    }
}
