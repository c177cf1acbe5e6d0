using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using TrainInsight.Diagnostics;
using TrainInsight.Llm.Internal;
using TrainInsight.Llm.Prompts;

namespace TrainInsight.Llm;

/// <summary>
/// Analyzes a training run from the telemetry on the <see cref="ITelemetryBus"/>: the diagnosis (<see cref="DiagnosisEngine"/>)
/// finds known problems, and when the host registered an <see cref="IChatClient"/>, the chat client explains them in words.
/// </summary>
/// <remarks>
/// The analyst never creates a chat client or picks a provider: it uses the one it is given (with dependency injection,
/// the <see cref="IChatClient"/> the host registered, if any). Without one, or when the chat client fails or does not
/// answer within <see cref="LlmOptions.RequestTimeout"/>, the answer comes from the rules and
/// <see cref="TrainingAnalysis.Notice"/> says why. Instances are thread-safe.
/// </remarks>
public sealed class TrainingAnalyst
{
    internal const string NoChatClientNotice = "No IChatClient is registered; this analysis comes from rules only.";

    private readonly ITelemetryBus _bus;
    private readonly IChatClient? _chatClient;
    private readonly LlmOptions _options;
    private readonly DiagnosisEngine? _diagnosis;

    /// <summary>Initializes a new instance of the <see cref="TrainingAnalyst"/> class.</summary>
    /// <param name="bus">The bus whose history and current values are analyzed.</param>
    /// <param name="chatClient">The chat client that explains the findings, or <see langword="null"/> to answer from rules only.</param>
    /// <param name="options">The settings. The default is <c>new LlmOptions()</c>. Read on every call, so later changes apply.</param>
    /// <param name="diagnosis">
    /// The engine diagnosing the bus live, whose findings the analysis uses. The default is <see langword="null"/>: each
    /// analysis then diagnoses the run afresh from the bus's history.
    /// </param>
    public TrainingAnalyst(ITelemetryBus bus, IChatClient? chatClient = null, LlmOptions? options = null, DiagnosisEngine? diagnosis = null)
    {
        ArgumentNullException.ThrowIfNull(bus);
        _bus = bus;
        _chatClient = chatClient;
        _options = options ?? new LlmOptions();
        _diagnosis = diagnosis;
    }

    /// <summary>Analyzes a run.</summary>
    /// <param name="runId">The run, or <see langword="null"/> for the run that published most recently.</param>
    /// <param name="cancellationToken">Cancels the analysis, including a pending chat request.</param>
    /// <returns>
    /// The analysis. Its <see cref="TrainingAnalysis.Findings"/> always come from the diagnosis; its
    /// <see cref="TrainingAnalysis.Text"/> comes from the chat client when one is available and answers in time.
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="runId"/> is empty or white space.</exception>
    /// <exception cref="KeyNotFoundException">
    /// The bus has seen no event of <paramref name="runId"/> (or, when it is <see langword="null"/>, no event at all).
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public async Task<TrainingAnalysis> AnalyzeAsync(string? runId = null, CancellationToken cancellationToken = default)
    {
        if (runId is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var history = RunHistory.Read(_bus, runId);
        var findings = Diagnose(history.Run.Id);
        if (_chatClient is null)
        {
            return FromRules(history, findings, NoChatClientNotice);
        }

        var messages = AnalysisPrompt.Build(history, findings, _options);
        var chatOptions = _options.Temperature is { } temperature ? new ChatOptions { Temperature = temperature } : null;
        var timeout = _options.RequestTimeout;
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        string notice;
        try
        {
            var response = await _chatClient.GetResponseAsync(messages, chatOptions, timeoutSource.Token).ConfigureAwait(false);
            var text = response?.Text;
            if (!string.IsNullOrWhiteSpace(text))
            {
                return new TrainingAnalysis
                {
                    RunId = history.Run.Id,
                    Source = AnalysisSource.ChatClient,
                    Findings = findings,
                    Text = text,
                };
            }

            notice = "The chat client returned an empty answer; falling back to rules.";
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested)
        {
            // The caller canceled: that is the outcome, whatever the client threw on its way out.
            if (ex is OperationCanceledException canceled && canceled.CancellationToken == cancellationToken)
            {
                throw;
            }

            throw new OperationCanceledException("The analysis was canceled.", ex, cancellationToken);
        }
#pragma warning disable CA1031 // Whatever the host's chat client throws, the caller still gets the rules' analysis.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            notice = ex is OperationCanceledException && timeoutSource.IsCancellationRequested
                ? string.Create(CultureInfo.InvariantCulture, $"The chat client did not answer within {timeout.TotalSeconds:0.###} s (RequestTimeout); falling back to rules.")
                : $"The chat client failed ({ex.GetType().Name}: {ex.Message}); falling back to rules.";
        }

        return FromRules(history, findings, notice);
    }

    private IReadOnlyList<FindingEvent> Diagnose(string runId)
    {
        IReadOnlyList<FindingEvent> all;
        if (_diagnosis is not null)
        {
            all = _diagnosis.GetFindings(runId);
        }
        else
        {
            // No live engine: diagnose the run's events still in the bus's history.
            var diagnoser = new TrainingDiagnoser();
            foreach (var item in _bus.GetHistory())
            {
                if (string.Equals(item.RunId, runId, StringComparison.Ordinal))
                {
                    diagnoser.Observe(item);
                }
            }

            all = diagnoser.GetFindings(runId);
        }

        return [.. all.Where(f => f.State == FindingState.Open).OrderByDescending(f => f.Severity).ThenBy(f => f.FirstStep)];
    }

    private static TrainingAnalysis FromRules(RunHistory history, IReadOnlyList<FindingEvent> findings, string notice)
    {
        var run = history.Run;
        var current = history.Current;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Run '{run.Id}'");
        if (run.ModelName is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $" ({run.ModelName})");
        }

        text.Append(CultureInfo.InvariantCulture, $" is {current.State.ToString().ToLowerInvariant()}");
        if (current.Step is { } step)
        {
            text.Append(CultureInfo.InvariantCulture, $" at step {step}");
        }

        if (current.Epoch is { } epoch)
        {
            text.Append(CultureInfo.InvariantCulture, $", epoch {epoch}");
            if (run.TotalEpochs is { } total)
            {
                text.Append(CultureInfo.InvariantCulture, $" of {total}");
            }
        }

        if (history.TrainLoss is { Count: > 0 } loss)
        {
            text.Append(CultureInfo.InvariantCulture, $"; last train_loss {Numbers.Format(loss[^1].Value)}");
        }

        text.AppendLine(".");
        if (findings.All(f => f.Severity < FindingSeverity.Warning))
        {
            text.AppendLine("The diagnosis found no problem of warning severity or worse.");
        }

        foreach (var finding in findings)
        {
            text.Append("- ").AppendLine(FindingText.Line(finding));
            foreach (var fix in finding.Fixes.Take(2))
            {
                text.Append("  fix (").Append(FindingText.Kind(fix.Kind)).Append("): ").AppendLine(fix.Title);
            }
        }

        return new TrainingAnalysis
        {
            RunId = run.Id,
            Source = AnalysisSource.Rules,
            Findings = findings,
            Text = text.ToString().TrimEnd(),
            Notice = notice,
        };
    }
}
