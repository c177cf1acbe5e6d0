using System.Diagnostics;
using System.Globalization;
using TrainInsight.DiagnosisBenchmark.Models;
using TrainInsight.DiagnosisBenchmark.Traces;
using TrainInsight.Torch.Vision;

namespace TrainInsight.DiagnosisBenchmark.Generation;

/// <summary><c>generate --out DIR [--models mlp,cnn] [--seeds 3] [--scenarios a,b] [--data DIR] [--skip-existing]</c>.</summary>
internal static class GenerateCommand
{
    public static int Run(Arguments args)
    {
        var output = args.Require("out");
        var families = args.List("models") ?? ModelFactory.Families;
        var seeds = args.Int("seeds", 3);
        var scenarios = args.List("scenarios")?.Select(ScenarioCatalog.Get).ToList() ?? [.. ScenarioCatalog.All];
        var dataDirectory = args.Get("data") ?? FashionMnist.DefaultDirectory;
        var skipExisting = args.Flag("skip-existing");

        // Exploration only (finding a learning rate): override the recipe of every chosen scenario; the header's notes say so.
        var lr = args.Get("lr") is { } lrText ? double.Parse(lrText, CultureInfo.InvariantCulture) : (double?)null;
        var optimizer = args.Get("optimizer") is { } optimizerText ? Enum.Parse<OptimizerKind>(optimizerText, ignoreCase: true) : (OptimizerKind?)null;
        var momentum = args.Get("momentum") is { } momentumText ? double.Parse(momentumText, CultureInfo.InvariantCulture) : (double?)null;
        var epochs = args.Get("epochs") is { } epochsText ? int.Parse(epochsText, CultureInfo.InvariantCulture) : (int?)null;
        if (lr is not null || optimizer is not null || epochs is not null || momentum is not null)
        {
            scenarios = [.. scenarios.Select(s => s with
            {
                LearningRate = lr ?? s.LearningRate,
                Optimizer = optimizer ?? s.Optimizer,
                Momentum = momentum ?? s.Momentum,
                MlpEpochs = epochs ?? s.MlpEpochs,
                CnnEpochs = epochs ?? s.CnnEpochs,
                Notes = $"override: {(optimizer ?? s.Optimizer).ToString().ToLowerInvariant()} lr {lr ?? s.LearningRate} momentum {momentum ?? s.Momentum} epochs {epochs}",
            })];
        }

        args.RejectUnknown();
        foreach (var family in families)
        {
            if (!ModelFactory.Families.Contains(family))
            {
                throw new UsageException($"Unknown model '{family}' (use mlp or cnn).");
            }
        }

        Generate(output, families, seeds, scenarios, dataDirectory, skipExisting);
        return 0;
    }

    public static void Generate(string output, IReadOnlyList<string> families, int seeds, IReadOnlyList<ScenarioSpec> scenarios, string dataDirectory, bool skipExisting)
    {
        Directory.CreateDirectory(output);
        var source = FashionMnistSource.Load(dataDirectory);
        var runner = new ScenarioRunner(source);
        var total = families.Count * scenarios.Count * seeds;
        var done = 0;
        var all = Stopwatch.StartNew();
        var log = Path.Combine(output, "generate-runs.csv");
        if (!File.Exists(log))
        {
            File.WriteAllText(log, "run,scenario,label,model,seed,wall_seconds,final_val_accuracy,best_val_accuracy,samples_per_second,total_steps,onset_step,final_state,notes\n");
        }

        Console.WriteLine($"Generating {total} runs into {Path.GetFullPath(output)} ({string.Join(",", families)} × {scenarios.Count} scenarios × {seeds} seeds)");
        foreach (var family in families)
        {
            foreach (var spec in scenarios)
            {
                for (var seed = 1; seed <= seeds; seed++)
                {
                    done++;
                    var name = ScenarioRunner.TraceName(spec.Name, family, seed);
                    var path = Path.Combine(output, name + TraceFile.Extension);
                    if (skipExisting && File.Exists(path))
                    {
                        Console.WriteLine($"[{done}/{total}] {name}: exists, skipped");
                        continue;
                    }

                    var outcome = runner.Run(spec, family, seed);
                    TraceWriter.Write(path, outcome.Header, outcome.Events);
                    var h = outcome.Header;
                    Console.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"[{done}/{total}] {name}: {h.WallSeconds:F1} s, val acc {h.FinalValAccuracy:F4} (best {h.BestValAccuracy:F4}), {h.SamplesPerSecond:F0} img/s, {h.TotalSteps} steps, {outcome.Events.Count} events{(h.OnsetStep > 0 ? $", onset {h.OnsetStep}" : string.Empty)}{(h.Notes is null ? string.Empty : " — " + h.Notes)} (total {all.Elapsed.TotalMinutes:F1} min)"));
                    File.AppendAllText(log, string.Create(
                        CultureInfo.InvariantCulture,
                        $"{name},{h.Scenario},{h.Label},{h.Model},{h.Seed},{h.WallSeconds:F2},{h.FinalValAccuracy:F4},{h.BestValAccuracy:F4},{h.SamplesPerSecond:F0},{h.TotalSteps},{h.OnsetStep},{h.FinalState},\"{h.Notes?.Replace("\"", "'", StringComparison.Ordinal)}\"\n"));
                }
            }
        }

        Console.WriteLine($"Generated {total} runs in {all.Elapsed.TotalMinutes:F1} min.");
    }
}
