using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TrainInsight.DiagnosisBenchmark.Generation;
using TrainInsight.DiagnosisBenchmark.Models;
using TrainInsight.DiagnosisBenchmark.Scoring;
using TrainInsight.DiagnosisBenchmark.Traces;
using TrainInsight.Torch.Vision;

namespace TrainInsight.DiagnosisBenchmark.Fixes;

/// <summary>
/// <c>fix --traces DIR --out DIR [--models cnn] [--scenarios a,b] [--data DIR]</c>: fix efficacy. For each fault run whose
/// diagnosis (replayed from its trace) found the true label with a live fix, re-runs the same scenario and seed live with a
/// <see cref="Diagnostics.DiagnosisEngine"/> on the bus and applies the first finding's top live fix when it arrives
/// (then fixes 2 and 3 while they fail), and the random baseline at the same moment; reports fix@1, fix@3, the baseline,
/// and for code-change fixes the fault-free run from the start.
/// </summary>
internal static class FixEfficacyCommand
{
    public static int Run(Arguments args)
    {
        var traces = args.Require("traces");
        var output = args.Require("out");
        var models = args.List("models") ?? [ModelFactory.Cnn];
        var scenarios = args.List("scenarios");
        var data = args.Get("data") ?? FashionMnist.DefaultDirectory;
        args.RejectUnknown();
        Evaluate(traces, output, models, scenarios, data);
        return 0;
    }

    public static void Evaluate(string traces, string output, IReadOnlyList<string> models, IReadOnlyList<string>? scenarios, string dataDirectory)
    {
        if (!Directory.Exists(traces))
        {
            throw new UsageException($"No such folder: '{traces}' (with eng/torch-env.sh, a folder outside the repository must be listed in TRAININSIGHT_TORCH_EXTRA_MOUNTS).");
        }

        var timer = Stopwatch.StartNew();
        Directory.CreateDirectory(output);
        var fixTraces = Path.Combine(output, "fix-traces");
        var checkpoints = Path.Combine(output, "checkpoints");
        var files = TraceFile.List(traces, models);
        var all = files.Select(TraceFile.Read).ToList();
        var scored = all.ToDictionary(t => t.Run.Id, t => TraceScorer.Score(t), StringComparer.Ordinal);
        var source = FashionMnistSource.Load(dataDirectory);
        var runner = new ScenarioRunner(source);
        var results = new List<FixRunResult>();
        var thresholds = new Dictionary<string, (double Sigma, double Threshold)>(StringComparer.Ordinal);
        foreach (var model in models)
        {
            var sigma = HealthySpread(all.Where(t => t.Header.Model == model).Select(t => t.Header));
            thresholds[model] = (sigma, Math.Max(0.02, 2 * sigma));
        }

        var faults = all.Where(t => t.Header.Label != FindingLabels.Healthy)
            .Where(t => scenarios is null || scenarios.Contains(t.Header.Scenario))
            .ToList();
        Console.WriteLine($"Fix efficacy over {faults.Count} fault runs of {string.Join(",", models)}; success = val accuracy +{string.Join(", ", thresholds.Select(p => $"{p.Value.Threshold:P1} ({p.Key}: 2σ = {2 * p.Value.Sigma:P1})"))} over the unfixed trace, throughput ×2 for data_loader_bottleneck.");
        foreach (var trace in faults)
        {
            var run = scored[trace.Run.Id];
            var header = trace.Header;
            var spec = ScenarioCatalog.Get(header.Scenario);
            var threshold = thresholds[header.Model].Threshold;
            var found = run.Raised.FirstOrDefault(r => r.Label == run.TrueLabel);
            var result = new FixRunResult
            {
                Unfixed = run,
                Eligible = false,
                Reason = found is null ? "the diagnosis did not find the true label" : "the true label's finding has no live fix",
                LiveFixesOfTrueFinding = found?.LiveFixes.Select(f => f.Id).ToList() ?? [],
                TopFixKind = found is { Fixes.Count: > 0 } ? found.Fixes[0].Kind.ToString() : null,
            };
            if (found is not null && found.LiveFixes.Count > 0)
            {
                var attempts = new List<FixAttempt>();
                for (var k = 0; k < Math.Min(3, found.LiveFixes.Count); k++)
                {
                    // Runs are deterministic up to the first finding, so a later rank's run meets the same finding: when
                    // it has no live fix at rank k (or no finding arrived at all), that run would change nothing.
                    if (k > 0 && k >= attempts[0].Applied.LiveFixCount)
                    {
                        break;
                    }

                    var attempt = Attempt(runner, spec, header, new FixChoice(k), threshold, fixTraces, checkpoints);
                    attempts.Add(attempt);
                    Console.WriteLine(Line(trace.Run.Id, attempt));
                    if (attempt.Success)
                    {
                        break;
                    }
                }

                var baseline = Attempt(runner, spec, header, new FixChoice(null, header.Seed), threshold, fixTraces, checkpoints);
                Console.WriteLine(Line(trace.Run.Id, baseline));
                result = result with { Eligible = true, Reason = null, Fixes = attempts, Baseline = baseline };
            }
            else
            {
                Console.WriteLine($"{trace.Run.Id}: not eligible ({result.Reason})");
            }

            if (found is { Fixes.Count: > 0 } && found.Fixes[0] is { Kind: FixKind.CodeChange } code && CodeFixes.For(spec, header.Model) is { } codeFix)
            {
                var codeResult = CodeFix(runner, all, header, codeFix.Spec, codeFix.Change, code, fixTraces);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{trace.Run.Id}: code fix from the start ({codeResult.Change}): val acc {codeResult.FinalValAccuracy:F4}, improvement {codeResult.Improvement:+0.0000;-0.0000} [{codeResult.Source}]"));
                result = result with { CodeFix = codeResult };
            }

            results.Add(result);
        }

        if (Directory.Exists(checkpoints))
        {
            Directory.Delete(checkpoints, recursive: true);
        }

        var json = JsonSerializer.Serialize(ToJson(results, thresholds, timer.Elapsed), ScoreCommand.Json);
        File.WriteAllText(Path.Combine(output, "fix-results.json"), json);
        var markdown = ToMarkdown(results, thresholds, timer.Elapsed);
        File.WriteAllText(Path.Combine(output, "fix-results.md"), markdown);
        Console.WriteLine(markdown);
    }

    /// <summary>The pooled standard deviation of the healthy scenarios' final validation accuracy over their seeds.</summary>
    public static double HealthySpread(IEnumerable<TraceHeader> headers)
    {
        var variances = headers.Where(h => h.Label == FindingLabels.Healthy && double.IsFinite(h.FinalValAccuracy))
            .GroupBy(h => h.Scenario)
            .Where(g => g.Count() >= 2)
            .Select(g =>
            {
                var values = g.Select(h => h.FinalValAccuracy).ToList();
                var mean = values.Average();
                return values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
            })
            .ToList();
        return variances.Count == 0 ? 0 : Math.Sqrt(variances.Average());
    }

    private static FixAttempt Attempt(ScenarioRunner runner, ScenarioSpec spec, TraceHeader unfixed, FixChoice choice, double threshold, string fixTraces, string checkpoints)
    {
        var hook = new LiveFixHook(choice);
        var runId = $"{unfixed.RunId}__{choice.Suffix}";
        var outcome = runner.Run(spec, unfixed.Model, unfixed.Seed, runId, [hook], checkpoints);
        var header = outcome.Header;
        header.Notes = $"{(header.Notes is null ? string.Empty : header.Notes + "; ")}{choice.Suffix}: {Describe(hook.Result)}";
        var path = Path.Combine(fixTraces, runId + TraceFile.Extension);
        TraceWriter.Write(path, header, outcome.Events);
        var (improvement, success) = Judge(unfixed, header.FinalValAccuracy, header.SamplesPerSecond, threshold);
        return new FixAttempt(choice.Suffix, hook.Result, header.FinalValAccuracy, header.SamplesPerSecond, improvement, success, path, header.WallSeconds);
    }

    private static CodeFixResult CodeFix(ScenarioRunner runner, IReadOnlyList<TraceRun> all, TraceHeader unfixed, ScenarioSpec fixedSpec, string change, SuggestedFix fix, string fixTraces)
    {
        var epochs = fixedSpec.Epochs(unfixed.Model);

        // A healthy trace with the identical recipe, model and seed trained exactly this run (same data, order and
        // initialisation) for at least as many epochs: its validation accuracy at that epoch is the fault-free result.
        foreach (var healthy in all.Where(t => t.Header.Label == FindingLabels.Healthy && t.Header.Model == unfixed.Model && t.Header.Seed == unfixed.Seed))
        {
            var healthySpec = ScenarioCatalog.Get(healthy.Header.Scenario).ForFamily(unfixed.Model);
            if (CodeFixes.SameRecipe(healthySpec, fixedSpec) && healthy.Header.Epochs >= epochs)
            {
                var epoch = healthy.Events.OfType<TrainingEvent>().FirstOrDefault(e => e.Kind == TrainingEventKind.EpochCompleted && e.Epoch == epochs);
                if (epoch?.Metrics.TryGetValue(MetricNames.ValAccuracy, out var accuracy) == true)
                {
                    var (gain, _) = Judge(unfixed, accuracy, healthy.Header.SamplesPerSecond, 0);
                    return new CodeFixResult(fix.Id, fix.Title, change, accuracy, healthy.Header.SamplesPerSecond, gain, $"{healthy.Run.Id} at epoch {epochs} (identical recipe and seed)");
                }
            }
        }

        var runId = $"{unfixed.RunId}__codefix";
        var outcome = runner.Run(fixedSpec, unfixed.Model, unfixed.Seed, runId);
        outcome.Header.Notes = $"code fix from the start: {change}";
        TraceWriter.Write(Path.Combine(fixTraces, runId + TraceFile.Extension), outcome.Header, outcome.Events);
        var (improvement, _) = Judge(unfixed, outcome.Header.FinalValAccuracy, outcome.Header.SamplesPerSecond, 0);
        return new CodeFixResult(fix.Id, fix.Title, change, outcome.Header.FinalValAccuracy, outcome.Header.SamplesPerSecond, improvement, "live re-run");
    }

    /// <summary>The improvement (accuracy points, or the throughput ratio for the data-loader bottleneck) and whether it succeeds.</summary>
    private static (double Improvement, bool Success) Judge(TraceHeader unfixed, double accuracy, double samplesPerSecond, double threshold)
    {
        if (unfixed.Label == FindingLabels.DataLoaderBottleneck)
        {
            var ratio = unfixed.SamplesPerSecond > 0 ? samplesPerSecond / unfixed.SamplesPerSecond : 0;
            return (ratio, ratio >= 2);
        }

        var before = double.IsFinite(unfixed.FinalValAccuracy) ? unfixed.FinalValAccuracy : 0;
        var after = double.IsFinite(accuracy) ? accuracy : 0;
        return (after - before, after - before >= threshold);
    }

    private static string Describe(AppliedFix applied) => applied.NotApplied is { } why
        ? $"nothing applied ({why})"
        : $"{applied.TriggerLabel} raised at step {applied.TriggerStep}; applied {applied.FixId} [{string.Join(", ", applied.Commands)}] at step {applied.AppliedAtStep}";

    private static string Line(string run, FixAttempt attempt) => string.Create(
        CultureInfo.InvariantCulture,
        $"{run} {attempt.Kind}: {Describe(attempt.Applied)} → val acc {attempt.FinalValAccuracy:F4}, {attempt.SamplesPerSecond:F0} img/s, improvement {attempt.Improvement:+0.0000;-0.0000} {(attempt.Success ? "SUCCESS" : "fail")} ({attempt.WallSeconds:F0} s)");

    private static object ToJson(IReadOnlyList<FixRunResult> results, Dictionary<string, (double Sigma, double Threshold)> thresholds, TimeSpan elapsed)
    {
        var eligible = results.Where(r => r.Eligible).ToList();
        return new
        {
            runs = results.Count,
            eligible = eligible.Count,
            fix_at_1 = eligible.Count == 0 ? 0 : (double)eligible.Count(r => r.FixAt1) / eligible.Count,
            fix_at_3 = eligible.Count == 0 ? 0 : (double)eligible.Count(r => r.FixAt3) / eligible.Count,
            baseline = eligible.Count == 0 ? 0 : (double)eligible.Count(r => r.Baseline?.Success == true) / eligible.Count,
            thresholds = thresholds.ToDictionary(p => p.Key, p => new { healthy_sigma = p.Value.Sigma, threshold = p.Value.Threshold }),
            minutes = elapsed.TotalMinutes,
            per_run = results.Select(r => new
            {
                run = r.Unfixed.Run,
                label = r.Unfixed.TrueLabel,
                eligible = r.Eligible,
                reason = r.Reason,
                unfixed_val_accuracy = r.Unfixed.FinalValAccuracy,
                unfixed_samples_per_second = r.Unfixed.SamplesPerSecond,
                top_fix_kind = r.TopFixKind,
                live_fixes = r.LiveFixesOfTrueFinding,
                fix_at_1 = r.FixAt1,
                fix_at_3 = r.FixAt3,
                attempts = r.Fixes.Select(AttemptJson),
                baseline = r.Baseline is null ? null : AttemptJson(r.Baseline),
                code_fix_not_live = r.CodeFix is null ? null : new
                {
                    fix = r.CodeFix.FixId,
                    title = r.CodeFix.FixTitle,
                    change = r.CodeFix.Change,
                    val_accuracy = r.CodeFix.FinalValAccuracy,
                    samples_per_second = r.CodeFix.SamplesPerSecond,
                    improvement = r.CodeFix.Improvement,
                    source = r.CodeFix.Source,
                },
            }),
        };
    }

    private static object AttemptJson(FixAttempt a) => new
    {
        kind = a.Kind,
        trigger_label = a.Applied.TriggerLabel,
        trigger_step = a.Applied.TriggerStep,
        applied_at_step = a.Applied.AppliedAtStep,
        fix = a.Applied.FixId,
        title = a.Applied.FixTitle,
        commands = a.Applied.Commands,
        not_applied = a.Applied.NotApplied,
        val_accuracy = a.FinalValAccuracy,
        samples_per_second = a.SamplesPerSecond,
        improvement = a.Improvement,
        success = a.Success,
        trace = Path.GetFileName(a.Trace),
    };

    private static string ToMarkdown(IReadOnlyList<FixRunResult> results, Dictionary<string, (double Sigma, double Threshold)> thresholds, TimeSpan elapsed)
    {
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        var eligible = results.Where(r => r.Eligible).ToList();
        double Share(Func<FixRunResult, bool> f) => eligible.Count == 0 ? 0 : (double)eligible.Count(f) / eligible.Count;
        s.Append("## Fix efficacy\n\n");
        s.Append(c, $"- {eligible.Count} of {results.Count} fault runs qualify (true label found, with a live fix)\n");
        s.Append(c, $"- **fix@1 {Share(r => r.FixAt1):P0}**, fix@3 {Share(r => r.FixAt3):P0}, random live action (baseline) {Share(r => r.Baseline?.Success == true):P0}\n");
        s.Append(c, $"- success: final val accuracy +{string.Join(", ", thresholds.Select(p => $"{p.Value.Threshold:P1} for {p.Key} (max of 2 pp and 2σ of the healthy seeds, σ = {p.Value.Sigma:P2})"))} over the unfixed trace; data_loader_bottleneck: throughput ×2\n");
        s.Append(c, $"- {elapsed.TotalMinutes:F1} min\n\n");
        s.Append("| run | unfixed acc | fix 1 (Δ) | fix 2 (Δ) | fix 3 (Δ) | baseline (Δ) | fix@1 | fix@3 | base |\n| --- | ---: | --- | --- | --- | --- | :---: | :---: | :---: |\n");
        foreach (var r in results)
        {
            if (!r.Eligible)
            {
                s.Append(c, $"| {r.Unfixed.Run} | {r.Unfixed.FinalValAccuracy:F3} | *{r.Reason}* | | | | | | |\n");
                continue;
            }

            string Cell(FixAttempt? a) => a is null ? string.Empty
                : a.Applied.NotApplied is not null ? $"nothing applied ({a.Applied.TriggerLabel ?? "no finding"})"
                : $"{a.Applied.FixId} on {a.Applied.TriggerLabel}@{a.Applied.AppliedAtStep}: {a.FinalValAccuracy:F3} ({a.Improvement:+0.000;-0.000})";
            s.Append(c, $"| {r.Unfixed.Run} | {r.Unfixed.FinalValAccuracy:F3} | {Cell(r.Fixes.ElementAtOrDefault(0))} | {Cell(r.Fixes.ElementAtOrDefault(1))} | {Cell(r.Fixes.ElementAtOrDefault(2))} | {Cell(r.Baseline)} | {(r.FixAt1 ? "✓" : "✗")} | {(r.FixAt3 ? "✓" : "✗")} | {(r.Baseline?.Success == true ? "✓" : "✗")} |\n");
        }

        var code = results.Where(r => r.CodeFix is not null).ToList();
        if (code.Count > 0)
        {
            s.Append("\n### Code fix from the start (NOT a live fix: the fault removed before training)\n\n| run | top fix | change | unfixed acc | fixed acc | improvement | source |\n| --- | --- | --- | ---: | ---: | ---: | --- |\n");
            foreach (var r in code)
            {
                var f = r.CodeFix!;
                var improvement = r.Unfixed.TrueLabel == FindingLabels.DataLoaderBottleneck ? $"throughput ×{f.Improvement:F2}" : $"{f.Improvement:+0.000;-0.000}";
                s.Append(c, $"| {r.Unfixed.Run} | {f.FixId} | {f.Change} | {r.Unfixed.FinalValAccuracy:F3} | {f.FinalValAccuracy:F3} | {improvement} | {f.Source} |\n");
            }
        }

        return s.ToString();
    }
}
