using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LLama.Native;
using Microsoft.Extensions.AI;
using TrainInsight.Cli.Llm;
using TrainInsight.DiagnosisBenchmark.Scoring;
using TrainInsight.DiagnosisBenchmark.Traces;
using TrainInsight.Llm;

namespace TrainInsight.DiagnosisBenchmark.Advice;

/// <summary>
/// <c>advice [--traces DIR] [--models mlp,cnn] [--ask end|detection] [--llm ... options] [--output DIR]</c>: replays every
/// labelled trace through a real bus, store and diagnosis engine, asks the assistant's <c>SuggestAsync</c> for the run, and
/// scores whether its top suggestion targets the right parameter in the right direction (<see cref="AdviceExpectations"/>).
/// </summary>
internal static class AdviceCommand
{
    /// <summary>The committed traces (one MLP run per label), so that anyone can reproduce the evaluation.</summary>
    public const string DefaultTraces = "tests/TrainInsight.Diagnostics.Tests/Traces";

    public const string Usage =
        "       advice [--traces DIR] [--models mlp,cnn] [--ask end|detection] [--output DIR] [--llm PROVIDER ...]\n" +
        "              [--max-output-tokens N] [--context-tokens N] [--timeout SECONDS] [--temperature X]\n" +
        "              (default traces: " + DefaultTraces + "; default output: artifacts/advice-eval; --llm options:)";

    public static int Run(Arguments args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(Arguments args)
    {
        var traces = args.Get("traces") ?? DefaultTraces;
        var models = args.List("models");
        var output = args.Get("output") ?? Path.Combine("artifacts", "advice-eval");
        var ask = args.Get("ask") switch
        {
            null or "end" => AskPoint.End,
            "detection" => AskPoint.Detection,
            var other => throw new UsageException($"--ask must be end or detection, not '{other}'."),
        };
        var settings = ChatClientSettings.FromEnvironment();
        foreach (var option in args.NamesStartingWith("llm"))
        {
            try
            {
                // An option that is not one of ChatClientSettings' stays unused, and RejectUnknown names it.
                settings.TryParse("--" + option, () => args.Get(option)!);
            }
            catch (FormatException ex)
            {
                throw new UsageException(ex.Message);
            }
        }

        var options = new LlmOptions();
        if (args.Get("max-output-tokens") is { } maxOutput)
        {
            options.MaxOutputTokens = int.Parse(maxOutput, CultureInfo.InvariantCulture);
        }

        if (args.Get("context-tokens") is { } contextTokens)
        {
            options.ContextTokenBudget = int.Parse(contextTokens, CultureInfo.InvariantCulture);
        }

        if (args.Get("timeout") is { } timeout)
        {
            options.RequestTimeout = TimeSpan.FromSeconds(double.Parse(timeout, CultureInfo.InvariantCulture));
        }

        if (args.Get("temperature") is { } temperature)
        {
            options.Temperature = float.Parse(temperature, CultureInfo.InvariantCulture);
        }

        args.RejectUnknown();
        if (!Directory.Exists(traces))
        {
            throw new UsageException($"No such folder: '{traces}' (with eng/torch-env.sh, a folder outside the repository must be listed in TRAININSIGHT_TORCH_EXTRA_MOUNTS).");
        }

        var files = TraceFile.List(traces, models);
        if (files.Count == 0)
        {
            throw new UsageException($"No traces (*.jsonl) for models '{string.Join(",", models ?? [])}' in '{traces}'.");
        }

        if (settings.Provider == "gguf")
        {
            Console.Error.WriteLine($"advice: libgomp for LLamaSharp's CPU backend: {OpenMp.Load()}");
            // llama.cpp logs every tensor it loads; keep its errors only (set before the native library loads).
            NativeLibraryConfig.All.WithLogCallback((level, message) =>
            {
                if (level == LLamaLogLevel.Error)
                {
                    Console.Error.Write(message);
                }
            });
        }

        IChatClient? client;
        try
        {
            client = settings.Create();
        }
        catch (FormatException ex)
        {
            throw new UsageException(ex.Message);
        }

        var assistantName = settings.Describe();
        if (client is not null)
        {
            assistantName += string.Create(
                CultureInfo.InvariantCulture,
                $"; LlmOptions: context {options.ContextTokenBudget} tokens, max output {options.MaxOutputTokens?.ToString(CultureInfo.InvariantCulture) ?? "client default"}, timeout {options.RequestTimeout.TotalSeconds:F0} s, temperature {options.Temperature?.ToString(CultureInfo.InvariantCulture) ?? "client default"}");
        }

        Console.Error.WriteLine($"advice: {files.Count} traces from '{traces}', assistant: {assistantName}");
        var timer = Stopwatch.StartNew();
        var runs = new List<AdviceRun>(files.Count);
        try
        {
            for (var i = 0; i < files.Count; i++)
            {
                var run = await EvaluateAsync(TraceFile.Read(files[i]), client, options, ask).ConfigureAwait(false);
                runs.Add(run);
                var top = run.Suggestions.Count > 0 ? run.Suggestions[0].Parameter + (run.Suggestions[0].FixId is { } fix && fix != run.Suggestions[0].Parameter ? $" [{fix}]" : "") : "(none)";
                Console.Error.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"  [{i + 1}/{files.Count}] {run.Run}: {run.Label} -> {top} {(run.Right ? "right" : "wrong")} ({(run.Source == AssistantSource.Model ? "model" : run.Fallback ? "rules, fallback" : "rules")}, {run.LatencyMs:F0} ms)"));
            }
        }
        finally
        {
            client?.Dispose();
        }

        var name = traces.TrimEnd('/', Path.DirectorySeparatorChar) + (models is null ? "" : $" ({string.Join(", ", models)})");
        var report = new AdviceReport(runs, traces, assistantName, client is not null, ask, timer.Elapsed.TotalSeconds);
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "advice.md"), report.ToMarkdown(name));
        File.WriteAllText(Path.Combine(output, "advice.json"), JsonSerializer.Serialize(report.ToJson(name), ScoreCommand.Json));
        Console.WriteLine(report.Summary(name));
        Console.WriteLine($"  report: {Path.Combine(output, "advice.md")} and advice.json");
        return 0;
    }

    private static async Task<AdviceRun> EvaluateAsync(TraceRun trace, IChatClient? client, LlmOptions options, AskPoint ask)
    {
        var header = trace.Header;
        var expectation = AdviceExpectations.For(header.Label);
        await using var replay = await TraceReplay.RunAsync(trace, ask).ConfigureAwait(false);

        // A fresh assistant per trace over the replay's store, bus and engine, as AddLlm() builds it (no answer cache: every
        // call reaches the model, and the budgets and circuit breaker start afresh for each trace).
        var assistant = new TrainingAssistant(replay.Store, replay.Bus, client, options, replay.Engine);
        AssistantAnswer? answer = null;
        string? error = null;
        var watch = Stopwatch.StartNew();
        try
        {
            answer = await assistant.SuggestAsync(new AssistantRequest(trace.Run.Id)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            error = $"{ex.GetType().Name}: {ex.Message}";
        }

        watch.Stop();
        var findings = answer?.Findings
            ?? [.. replay.Engine.GetFindings(trace.Run.Id).Where(f => f.State == FindingState.Open).OrderByDescending(f => f.Severity)];
        var suggestions = answer is null ? [] : SuggestionReader.Read(answer, trace.Run);
        int? hitRank = null;
        int? parameterRank = null;
        AdviceTarget? hit = null;
        for (var i = 0; i < suggestions.Count; i++)
        {
            if (hitRank is null && AdviceExpectations.Match(expectation, suggestions[i]) is { } target)
            {
                hitRank = i + 1;
                hit = target;
            }

            if (parameterRank is null && AdviceExpectations.Match(expectation, suggestions[i], ignoreDirection: true) is not null)
            {
                parameterRank = i + 1;
            }
        }

        var askedAt = ask == AskPoint.End ? $"end (step {replay.LastStep})"
            : replay.StoppedAtDetection ? $"first warning (step {replay.LastStep})"
            : $"end, no warning (step {replay.LastStep})";
        return new AdviceRun
        {
            Run = trace.Run.Id,
            Scenario = header.Scenario,
            Model = header.Model,
            Seed = header.Seed,
            Label = header.Label,
            AskedAt = askedAt,
            Findings = [.. findings.Select(f => $"{f.Label} ({f.Severity.ToString().ToLowerInvariant()})")],
            FindingMessages = [.. findings.Select(f => f.Message)],
            TrueLabelFound = findings.Any(f => f.Label == header.Label),
            Source = answer?.Source ?? AssistantSource.Rules,
            ModelId = answer?.ModelId,
            Notice = answer?.Notice,
            Fallback = client is not null && answer is { Source: AssistantSource.Rules },
            Suggestions = suggestions,
            HitRank = hitRank,
            Hit = hit,
            ParameterHitRank = parameterRank,
            LatencyMs = watch.Elapsed.TotalMilliseconds,
            InputTokens = answer?.InputTokens,
            OutputTokens = answer?.OutputTokens,
            Error = error,
        };
    }
}
