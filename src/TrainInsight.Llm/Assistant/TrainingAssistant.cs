using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TrainInsight.Diagnostics;
using TrainInsight.Llm.Internal;
using TrainInsight.Llm.Internal.Context;
using TrainInsight.Llm.Internal.Control;
using TrainInsight.Llm.Internal.Conversations;
using TrainInsight.Llm.Internal.Pipeline;
using TrainInsight.Llm.Internal.Rules;
using TrainInsight.Llm.Internal.Suggestions;
using TrainInsight.Llm.Internal.Tools;

namespace TrainInsight.Llm;

/// <summary>
/// The <see cref="ITrainingAssistant"/> over Microsoft.Extensions.AI: the host's <see cref="IChatClient"/> answers, grounded
/// in a compact context of the run read from the store and the bus, in the design's three roles; the diagnosis's rules
/// answer, labelled, when there is no chat client or it fails.
/// </summary>
/// <remarks>
/// The assistant never creates a chat client or picks a provider. It wraps the one it is given in its own pipeline:
/// distributed caching, function invocation (the chat tools), OpenTelemetry, logging, budgets (<see cref="LlmOptions.MaxCallsPerMinute"/>,
/// <see cref="LlmOptions.MaxTokensPerDay"/>), a circuit breaker and timeouts. Instances are thread-safe.
/// With an <see cref="IProposalService"/>, a chat message that asks to steer the run ("pause", "把学习率降到一半") and the
/// live suggestions of <see cref="SuggestAsync"/> become pending proposals, returned in <see cref="AssistantAnswer.Proposals"/>:
/// the assistant never submits a control command itself, and nothing changes in training before a person approves.
/// </remarks>
public sealed class TrainingAssistant : ITrainingAssistant
{
    private const int HistoryReadLimit = 400;

    private readonly IMetricStore _store;
    private readonly LlmOptions _options;
    private readonly RunDataLoader _loader;
    private readonly ModelCaller _caller;
    private readonly AssistantPipeline? _pipeline;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ProposalGateway? _gateway;

    /// <summary>Initializes a new instance of the <see cref="TrainingAssistant"/> class.</summary>
    /// <param name="store">The store the runs are read from (and conversations kept in).</param>
    /// <param name="bus">The bus, for live runs' latest values and events the store has not flushed yet.</param>
    /// <param name="chatClient">The model, or <see langword="null"/> to answer from the rules only.</param>
    /// <param name="options">The settings, read on every call. The default is <c>new LlmOptions()</c>.</param>
    /// <param name="diagnosis">The live diagnosis whose findings are used for runs it follows; other runs' findings come from the store. The default is <see langword="null"/>.</param>
    /// <param name="cache">The cache of model answers, or <see langword="null"/> for none. The default is <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where the assistant and its pipeline log. The default is none.</param>
    /// <param name="timeProvider">The clock of budgets, the circuit breaker and the context. The default is <see cref="TimeProvider.System"/>.</param>
    /// <param name="proposals">Where chat commands, the model's <c>propose_control_action</c> calls and live suggestions become pending proposals, or <see langword="null"/> when proposals are not enabled (answers then say that nothing was proposed). The default is <see langword="null"/>.</param>
    public TrainingAssistant(
        IMetricStore store,
        ITelemetryBus bus,
        IChatClient? chatClient = null,
        LlmOptions? options = null,
        DiagnosisEngine? diagnosis = null,
        IDistributedCache? cache = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        IProposalService? proposals = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(bus);
        _store = store;
        _options = options ?? new LlmOptions();
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<TrainingAssistant>();
        _loader = new RunDataLoader(store, bus, diagnosis);
        _pipeline = chatClient is null ? null : new AssistantPipeline(chatClient, _options, cache, loggerFactory, _time);
        _caller = new ModelCaller(_pipeline?.Client, _logger);
        _gateway = proposals is null ? null : new ProposalGateway(proposals, _logger);
    }

    /// <summary>Gets whether an <see cref="IProposalService"/> is configured (otherwise nothing is ever proposed).</summary>
    public bool HasProposals => _gateway is not null;

    /// <summary>Gets how many proposals the assistant asked for but the proposal service refused (an ended run, an invalid value) or failed to make; each is logged.</summary>
    public long ProposalFailures => _gateway?.Failures ?? 0;

    /// <summary>Gets whether a chat client is configured (otherwise every answer comes from the rules).</summary>
    public bool HasModel => _caller.HasModel;

    /// <summary>Gets how many answers the model wrote.</summary>
    public long ModelAnswers => _caller.ModelAnswers;

    /// <summary>Gets how many answers the rules wrote (with or without a model configured).</summary>
    public long RulesAnswers => _caller.RulesAnswers;

    /// <summary>Gets how many times the model failed, was over budget or returned unusable output, so the rules answered.</summary>
    public long Fallbacks => _caller.Fallbacks;

    /// <summary>Gets the tokens charged to today's budget (UTC), as reported by the model or estimated.</summary>
    public long TokensToday => _pipeline?.Budget.TokensToday ?? 0;

    /// <inheritdoc />
    public Task<AssistantAnswer> AnalyzeAsync(AssistantRequest request, CancellationToken cancellationToken = default) =>
        TextAsync(AssistantOperation.Analyze, request, cancellationToken);

    /// <inheritdoc />
    public Task<AssistantAnswer> DiagnoseAsync(AssistantRequest request, CancellationToken cancellationToken = default) =>
        TextAsync(AssistantOperation.Diagnose, request, cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<AssistantUpdate> AnalyzeStreamingAsync(AssistantRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var watch = Stopwatch.StartNew();
        var data = await _loader.LoadAsync(request.RunId, cancellationToken).ConfigureAwait(false);
        var language = Language.Resolve(request.Language, null, _options.DefaultLanguage);
        var context = RunContextBuilder.Build(data, _options.ContextTokenBudget, _time.GetUtcNow());
        var messages = _caller.HasModel ? PromptBuilder.Single(_options.Prompts.Analyst, PromptBuilder.AnalyzeTask, language, _options.MaxSuggestions, context) : null;
        var zh = Language.IsChinese(language);
        await foreach (var update in _caller.StreamAsync(
            messages,
            ChatOptions(),
            _ => Task.FromResult(RulesWriter.Analyze(data, zh)),
            _caller.HasModel ? null : RulesNotice.NoChatClient,
            r => Task.FromResult(Answer(AssistantOperation.Analyze, data, language, r, context, watch, [])),
            AssistantOperation.Analyze,
            request.RunId,
            cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    /// <inheritdoc />
    public async Task<AssistantAnswer> SuggestAsync(AssistantRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var watch = Stopwatch.StartNew();
        var data = await _loader.LoadAsync(request.RunId, cancellationToken).ConfigureAwait(false);
        var language = Language.Resolve(request.Language, null, _options.DefaultLanguage);
        var zh = Language.IsChinese(language);
        var rules = RuleSuggestions.From(data, _options.MaxSuggestions, zh);
        var context = RunContextBuilder.Build(data, _options.ContextTokenBudget, _time.GetUtcNow());
        var messages = PromptBuilder.Single(_options.Prompts.Optimizer, PromptBuilder.SuggestTask, language, _options.MaxSuggestions, context);
        var (response, notice) = await _caller.GetAsync(
            async (client, ct) => await client.GetResponseAsync<SuggestionPayload>(messages, ChatOptions(), useJsonSchemaResponseFormat: true, ct).ConfigureAwait(false),
            AssistantOperation.Suggest,
            request.RunId,
            cancellationToken).ConfigureAwait(false);
        if (response is not null)
        {
            var result = SuggestionValidator.Validate(response.Text, data, _options.MaxSuggestions);
            if (result.Error is null && result.Suggestions.Count > 0)
            {
                var text = new StringBuilder();
                if (!string.IsNullOrWhiteSpace(result.Summary))
                {
                    text.AppendLine(result.Summary.Trim());
                }

                foreach (var s in result.Suggestions)
                {
                    text.Append(s.Priority).Append(". ").AppendLine(RulesWriter.Describe(s, zh));
                    text.Append("   ").AppendLine(s.Rationale);
                    text.Append("   → ").AppendLine(s.ExpectedEffect);
                }

                var notes = new List<string>();
                if (result.Repairs.Count > 0)
                {
                    notes.Add("Repaired in the model's output: " + string.Join("; ", result.Repairs) + ".");
                }

                if (result.Rejections.Count > 0)
                {
                    notes.Add("Dropped from the model's output: " + string.Join("; ", result.Rejections) + ".");
                }

                var (modelProposals, proposalText, proposalNotice) = await ProposeAsync(result.Suggestions, data, ProposalSource.Model, zh, cancellationToken).ConfigureAwait(false);
                if (proposalText is not null)
                {
                    text.AppendLine(proposalText);
                }

                if (proposalNotice is not null)
                {
                    notes.Add(proposalNotice);
                }

                _caller.CountModel();
                return Answer(AssistantOperation.Suggest, data, language, new StreamResult(text.ToString().TrimEnd(), true, notes.Count > 0 ? string.Join(" ", notes) : null, response.Usage, response.ModelId), context, watch, result.Suggestions, proposals: modelProposals);
            }

            var reason = result.Error ?? (result.Rejections.Count > 0
                ? "none of its suggestions was valid: " + string.Join("; ", result.Rejections)
                : "it held no suggestion");
            notice = _caller.Rejected(reason, AssistantOperation.Suggest, request.RunId);
        }

        var (ruleProposals, ruleProposalText, ruleProposalNotice) = await ProposeAsync(rules, data, ProposalSource.Rule, zh, cancellationToken).ConfigureAwait(false);
        var rulesText = RulesWriter.Suggest(data, rules, zh) + (ruleProposalText is null ? "" : "\n" + ruleProposalText);
        notice = ruleProposalNotice is null ? notice : notice is null ? ruleProposalNotice : notice + " " + ruleProposalNotice;
        _caller.CountRules();
        return Answer(AssistantOperation.Suggest, data, language, new StreamResult(rulesText, false, notice, response?.Usage, null), context, watch, rules, proposals: ruleProposals);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<AssistantUpdate> ChatStreamingAsync(AssistantChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var watch = Stopwatch.StartNew();
        var data = await _loader.LoadAsync(request.RunId, cancellationToken).ConfigureAwait(false);
        var conversationId = request.ConversationId ?? "c-" + Guid.NewGuid().ToString("N")[..16];
        var language = Language.Resolve(request.Language, request.Message, _options.DefaultLanguage);
        var zh = Language.IsChinese(language);
        var context = RunContextBuilder.Build(data, _options.ContextTokenBudget, _time.GetUtcNow());
        var asked = _time.GetUtcNow();
        List<ChatMessage>? messages = null;
        ChatOptions? chatOptions = ChatOptions();
        ProposalTools? proposalTools = null;
        if (_caller.HasModel)
        {
            var history = request.ConversationId is null
                ? []
                : await _store.GetConversationAsync(request.RunId, conversationId, HistoryReadLimit, cancellationToken).ConfigureAwait(false);
            var (kept, summary, _) = ConversationWindow.Fit(history, _options.HistoryTokenBudget);
            var withTool = _gateway is not null && _options.MaxToolCalls > 0;
            var system = PromptBuilder.System(_options.Prompts.Analyst, language, _options.MaxSuggestions, context, withTool ? PromptBuilder.ProposalRules : PromptBuilder.NoProposalRules);
            if (summary is not null)
            {
                system += "\n\n" + summary;
            }

            messages = [new ChatMessage(ChatRole.System, system), .. kept, new ChatMessage(ChatRole.User, request.Message)];
            if (_options.MaxToolCalls > 0)
            {
                var tools = new RunTools(_loader, request.RunId, _time).Create();
                if (_gateway is not null)
                {
                    proposalTools = new ProposalTools(_gateway, _loader, request.RunId);
                    tools.Add(proposalTools.Create());
                }

                chatOptions.Tools = tools;
                chatOptions.ToolMode = ChatToolMode.Auto;
            }
        }

        var rules = RuleSuggestions.From(data, _options.MaxSuggestions, zh);
        var commandProposals = new List<ProposalEvent>();
        var commanded = false;
        await foreach (var update in _caller.StreamAsync(
            messages,
            chatOptions,
            async ct =>
            {
                // Without a model (or when it failed), the fixed grammar reads commands; questions get the rules' answer.
                if (ControlGrammar.Parse(request.Message) is not { } plan)
                {
                    return RulesWriter.Chat(data, request.Message, rules, zh);
                }

                var (text, made) = await CommandProposer.RunAsync(plan, data, _gateway, zh, ct).ConfigureAwait(false);
                commandProposals.AddRange(made);
                commanded = true;
                return text;
            },
            _caller.HasModel ? null : RulesNotice.NoChatClientChat,
            async r =>
            {
                var notice = commanded && r.Notice == RulesNotice.NoChatClientChat ? RulesNotice.NoChatClientCommand : r.Notice;
                var answered = _time.GetUtcNow();
                ConversationMessage[] records =
                [
                    new() { RunId = request.RunId, ConversationId = conversationId, Role = ConversationRole.User, Text = request.Message, Timestamp = asked },
                    new() { RunId = request.RunId, ConversationId = conversationId, Role = ConversationRole.Assistant, Text = r.Text, Timestamp = answered > asked ? answered : asked.AddTicks(1), Source = r.FromModel ? AssistantSource.Model : AssistantSource.Rules },
                ];
                try
                {
                    await _store.AppendConversationAsync(records, CancellationToken.None).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // The answer was given; a store that cannot keep it is logged and said, not thrown at the reader.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    AssistantLog.ConversationNotSaved(_logger, request.RunId, conversationId, ex);
                    notice = (notice is null ? "" : notice + " ") + $"The conversation could not be saved ({ex.GetType().Name}: {ex.Message}).";
                }

                IReadOnlyList<ProposalEvent> proposals = [.. (proposalTools?.Made ?? []).Concat(commandProposals).DistinctBy(p => p.ProposalId)];
                return Answer(AssistantOperation.Chat, data, language, r with { Notice = notice }, context, watch, [], conversationId, proposals);
            },
            AssistantOperation.Chat,
            request.RunId,
            cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ConversationMessage>> GetConversationAsync(string runId, string conversationId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(conversationId);
        return _store.GetConversationAsync(runId, conversationId, InMemoryMetricStore.MaxConversationMessages, cancellationToken);
    }

    private async Task<AssistantAnswer> TextAsync(AssistantOperation operation, AssistantRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var watch = Stopwatch.StartNew();
        var data = await _loader.LoadAsync(request.RunId, cancellationToken).ConfigureAwait(false);
        var language = Language.Resolve(request.Language, null, _options.DefaultLanguage);
        var zh = Language.IsChinese(language);
        var diagnose = operation == AssistantOperation.Diagnose;
        var fixes = diagnose ? RuleSuggestions.From(data, _options.MaxSuggestions, zh) : [];
        var context = RunContextBuilder.Build(data, _options.ContextTokenBudget, _time.GetUtcNow());
        var messages = PromptBuilder.Single(
            diagnose ? _options.Prompts.Troubleshooter : _options.Prompts.Analyst,
            diagnose ? PromptBuilder.DiagnoseTask : PromptBuilder.AnalyzeTask,
            language,
            _options.MaxSuggestions,
            context);
        var (response, notice) = await _caller.GetAsync(
            (client, ct) => client.GetResponseAsync(messages, ChatOptions(), ct), operation, request.RunId, cancellationToken).ConfigureAwait(false);
        if (response is not null)
        {
            if (!string.IsNullOrWhiteSpace(response.Text))
            {
                _caller.CountModel();
                var truncated = response.FinishReason == ChatFinishReason.Length ? ModelCaller.Truncated : null;
                return Answer(operation, data, language, new StreamResult(response.Text.Trim(), true, truncated, response.Usage, response.ModelId), context, watch, fixes);
            }

            notice = _caller.Rejected("it was empty", operation, request.RunId);
        }

        _caller.CountRules();
        var text = diagnose ? RulesWriter.Diagnose(data, fixes, zh) : RulesWriter.Analyze(data, zh);
        return Answer(operation, data, language, new StreamResult(text, false, notice, response?.Usage, null), context, watch, fixes);
    }

    private async Task<(IReadOnlyList<ProposalEvent> Proposals, string? Text, string? Notice)> ProposeAsync(
        IReadOnlyList<HyperparameterSuggestion> suggestions, RunData data, ProposalSource source, bool zh, CancellationToken cancellationToken) =>
        _gateway is null || suggestions.All(s => s.Commands.Count == 0)
            ? ([], null, null)
            : await SuggestionProposer.RunAsync(suggestions, data, _gateway, source, zh, cancellationToken).ConfigureAwait(false);

    private AssistantAnswer Answer(
        AssistantOperation operation, RunData data, string language, StreamResult result, RunContext context, Stopwatch watch, IReadOnlyList<HyperparameterSuggestion> suggestions, string? conversationId = null, IReadOnlyList<ProposalEvent>? proposals = null)
    {
        return new AssistantAnswer
        {
            RunId = data.Run.Id,
            Operation = operation,
            Source = result.FromModel ? AssistantSource.Model : AssistantSource.Rules,
            Text = result.Text,
            Language = language,
            Notice = result.FromModel ? result.Notice : Notice(result.Notice, language),
            Findings = data.Findings,
            Suggestions = suggestions,
            Proposals = proposals ?? [],
            ConversationId = conversationId,
            ModelId = result.FromModel ? result.ModelId : null,
            InputTokens = result.Usage?.InputTokenCount,
            OutputTokens = result.Usage?.OutputTokenCount,
            ContextTokens = _caller.HasModel ? context.Tokens : 0,
            Elapsed = watch.Elapsed,
        };
    }

    private static string? Notice(string? notice, string language) =>
        Language.RulesNotice(language) is { } languageNotice ? (notice is null ? languageNotice : notice + " " + languageNotice) : notice;

    private ChatOptions ChatOptions()
    {
        var options = new ChatOptions { MaxOutputTokens = _options.MaxOutputTokens };
        if (_options.Temperature is { } temperature)
        {
            options.Temperature = temperature;
        }

        return options;
    }
}
