using System.Diagnostics;
using System.Globalization;
using System.Text;
using TrainInsight.DiagnosisBenchmark.Generation;
using TrainInsight.DiagnosisBenchmark.Models;
using TrainInsight.Proposals;
using TrainInsight.Torch;
using TrainInsight.Torch.Vision;
using static TorchSharp.torch;

namespace TrainInsight.DiagnosisBenchmark.Proposals;

/// <summary>
/// <c>proposals --out DIR [--models mlp] [--scenarios a,b] [--seeds 1] [--window 10] [--data DIR]</c>: proposal efficacy.
/// Runs each fault scenario live twice: once approving the first rule proposal the moment it is pending, once rejecting it
/// and approving a random applicable action instead; reports how often the measured verdict is "helped" in each arm, the
/// approval-to-applied latency (p50, p99), and what a checkpoint costs at a step boundary (the revert path's price).
/// </summary>
internal static class ProposalEfficacyCommand
{
    public const string Usage = "       proposals --out DIR [--models mlp] [--scenarios a,b] [--seeds 1] [--window 10] [--data DIR]";

    public static int Run(Arguments args)
    {
        var output = args.Require("out");
        var models = args.List("models") ?? [ModelFactory.Mlp];
        var scenarios = args.List("scenarios");
        var seeds = args.Int("seeds", 1);
        var window = args.Int("window", 10);
        var data = args.Get("data") ?? FashionMnist.DefaultDirectory;
        args.RejectUnknown();

        var timer = Stopwatch.StartNew();
        Directory.CreateDirectory(output);
        var checkpoints = Path.Combine(output, "checkpoints");
        var runner = new ScenarioRunner(FashionMnistSource.Load(data));
        var rows = new List<Row>();
        foreach (var model in models)
        {
            foreach (var spec in ScenarioCatalog.All.Where(s => s.Label != FindingLabels.Healthy && (scenarios is null || scenarios.Contains(s.Name))))
            {
                for (var seed = 1; seed <= seeds; seed++)
                {
                    foreach (var baseline in new[] { false, true })
                    {
                        var options = new ProposalOptions { OutcomeWindow = window, MinOutcomeUpdates = Math.Min(3, window) };
                        var hook = new ProposalHook(baseline, seed, options);
                        var runId = $"{ScenarioRunner.TraceName(spec.Name, model, seed)}__{(baseline ? "random" : "top")}";
                        runner.Run(spec, model, seed, runId, [hook], checkpoints);
                        var row = Row.From(spec.Name, model, seed, baseline, hook);
                        rows.Add(row);
                        Console.WriteLine(row.Line());
                    }
                }
            }
        }

        var checkpointCost = models.Select(CheckpointCost).ToList();
        if (Directory.Exists(checkpoints))
        {
            Directory.Delete(checkpoints, recursive: true);
        }

        var markdown = Markdown(rows, checkpointCost, window, timer.Elapsed);
        File.WriteAllText(Path.Combine(output, "proposal-results.md"), markdown);
        Console.WriteLine(markdown);
        return 0;
    }

    /// <summary>Writes the model and its Adam state 20 times, as the checkpoint before a proposal does at a step boundary.</summary>
    private static (string Model, double MeanMs, double P50Ms, double MaxMs, long Bytes) CheckpointCost(string family)
    {
        using var scope = NewDisposeScope();
        var model = ModelFactory.Create(Architecture.Standard, family);
        var optimizer = optim.Adam(model.parameters(), 1e-3);
        using (var loss = model.call(randn(8, 1, 28, 28)).sum())
        {
            loss.backward();
        }

        optimizer.step();
        var folder = Path.Combine(Path.GetTempPath(), "ti-ckpt-" + Guid.NewGuid().ToString("N")[..8]);
        var times = new List<double>();
        var path = Path.Combine(folder, "c.pt");
        for (var i = 0; i < 21; i++)
        {
            var sw = Stopwatch.StartNew();
            TrainingCheckpoint.Save(model, path, optimizer);
            if (i > 0)
            {
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
        }

        var bytes = new FileInfo(path).Length + new FileInfo(path + TrainingCheckpoint.OptimizerSuffix).Length;
        Directory.Delete(folder, recursive: true);
        times.Sort();
        return (family, times.Average(), times[times.Count / 2], times[^1], bytes);
    }

    private static string Markdown(List<Row> rows, List<(string Model, double MeanMs, double P50Ms, double MaxMs, long Bytes)> checkpointCost, int window, TimeSpan elapsed)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"# Proposal efficacy ({rows.Count} live runs, outcome window {window} updates, {elapsed.TotalMinutes:F1} min)");
        sb.AppendLine();
        sb.AppendLine("| arm | runs | a proposal was approved | applied | measured | helped | no effect | hurt | helped ÷ measured | helped ÷ approved |");
        sb.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var arm in new[] { false, true })
        {
            var r = rows.Where(x => x.Baseline == arm).ToList();
            var approved = r.Count(x => x.Approved);
            var measured = r.Count(x => x.Verdict is not null);
            var helped = r.Count(x => x.Verdict == ProposalVerdict.Helped);
            sb.AppendLine(inv, $"| {(arm ? "random applicable action" : "top rule proposal")} | {r.Count} | {approved} | {r.Count(x => x.Applied)} | {measured} | {helped} | {r.Count(x => x.Verdict == ProposalVerdict.NoEffect)} | {r.Count(x => x.Verdict == ProposalVerdict.Hurt)} | {Rate(helped, measured)} | {Rate(helped, approved)} |");
        }

        var latencies = rows.Where(x => x.LatencyMs is not null).Select(x => x.LatencyMs!.Value).Order().ToList();
        sb.AppendLine();
        sb.AppendLine(inv, $"Approval → applied (the trainer's acknowledgement at the next step boundary, checkpoint included): {latencies.Count} proposals, p50 {Percentile(latencies, 0.5):F1} ms, p99 {Percentile(latencies, 0.99):F1} ms, max {(latencies.Count == 0 ? double.NaN : latencies[^1]):F1} ms.");
        sb.AppendLine();
        sb.AppendLine("Checkpoint before applying (model + Adam state, 20 writes after a warm-up):");
        sb.AppendLine();
        sb.AppendLine("| model | mean | p50 | max | size |");
        sb.AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var c in checkpointCost)
        {
            sb.AppendLine(inv, $"| {c.Model} | {c.MeanMs:F2} ms | {c.P50Ms:F2} ms | {c.MaxMs:F2} ms | {c.Bytes / 1024.0:F0} KiB |");
        }

        sb.AppendLine();
        sb.AppendLine("| run | arm | proposal | verdict | change | approval → applied | note |");
        sb.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var x in rows)
        {
            sb.AppendLine(inv, $"| {x.Scenario} {x.Model} s{x.Seed} | {(x.Baseline ? "random" : "top")} | {x.Title ?? "—"} | {x.Verdict?.ToString() ?? "—"} | {(x.Change is { } c2 && double.IsFinite(c2) ? c2.ToString("+0.0%;-0.0%", inv) : "—")} | {(x.LatencyMs is { } l ? l.ToString("F1", inv) + " ms" : "—")} | {x.Note?.Replace("|", "/", StringComparison.Ordinal) ?? ""} |");
        }

        return sb.ToString();
    }

    private static string Rate(int part, int whole) => whole == 0 ? "—" : ((double)part / whole).ToString("P0", CultureInfo.InvariantCulture);

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private sealed record Row(string Scenario, string Model, int Seed, bool Baseline, bool Approved, bool Applied, string? Title,
        ProposalVerdict? Verdict, double? Change, double? LatencyMs, string? Note)
    {
        public static Row From(string scenario, string model, int seed, bool baseline, ProposalHook hook)
        {
            var history = hook.History;
            var approved = history.FirstOrDefault(r => r.State == ProposalState.Approved);
            var applied = history.FirstOrDefault(r => r.State == ProposalState.Applied);
            var final = hook.Final;
            double? latency = approved is not null && applied is not null ? (applied.Timestamp - approved.Timestamp).TotalMilliseconds : null;
            var note = final is null ? "no rule proposal was made"
                : final.Outcome?.Message ?? final.Reason ?? (final.TargetMetric is null ? "the action's effect is not measured (pause, stop, checkpoint, evaluate)" : null);
            return new Row(scenario, model, seed, baseline, approved is not null, applied is not null, final?.Title, final?.Outcome?.Verdict,
                final?.Outcome?.Change, latency, note);
        }

        public string Line() => string.Create(CultureInfo.InvariantCulture,
            $"{Scenario} {Model} s{Seed} {(Baseline ? "random" : "top")}: {Title ?? "no proposal"} → {Verdict?.ToString() ?? "not measured"} ({Note})");
    }
}
