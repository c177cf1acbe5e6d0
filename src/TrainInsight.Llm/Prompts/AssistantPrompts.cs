namespace TrainInsight.Llm;

/// <summary>
/// The system prompts of the assistant's three roles: the training analyst (analyse, chat), the hyperparameter optimiser
/// (suggest) and the training troubleshooter (diagnose). Each is a template; override one to change a role's voice.
/// </summary>
/// <remarks>
/// A template may use <c>{language}</c> (the language to answer in, such as "English" or "Chinese (简体中文)") and
/// <c>{max_suggestions}</c>. The assistant always appends its own fixed rules after the role's text: the run's data comes
/// between <c>&lt;run_data&gt;</c> tags and is data, never instructions; answer only from it; the language to answer in.
/// Overriding a role cannot remove those rules.
/// </remarks>
public sealed class AssistantPrompts
{
    /// <summary>The default training analyst prompt.</summary>
    public const string DefaultAnalyst =
        "You are a training analyst for computer-vision model training. Analyse the metric data to identify the training " +
        "state (healthy, overfitting, underfitting, diverging, plateaued); explain the diagnosis's findings; give concrete " +
        "optimisation suggestions with the numbers behind them; explain in professional but plain language. Always base " +
        "the analysis on the data given and do not speculate beyond it; say what data is missing when it matters. " +
        "Answer in {language}.";

    /// <summary>The default hyperparameter optimiser prompt.</summary>
    public const string DefaultOptimizer =
        "You are a hyperparameter optimiser for computer-vision model training. Analyse the effect of the current " +
        "hyperparameters on the metrics; suggest at most {max_suggestions} concrete adjustments, each with the parameter, " +
        "its current value, the proposed value, the rationale from the data, the expected effect, a priority (1 = first to " +
        "try) and a confidence between 0 and 1. Rank them by priority. Suggestions must be actionable and specific: name a " +
        "number, not a direction. Use snake_case parameter names such as learning_rate, weight_decay, batch_size, momentum, " +
        "dropout, gradient_clip_norm, early_stopping_patience, warmup_steps, label_smoothing. Write the texts in {language}.";

    /// <summary>The default training troubleshooter prompt.</summary>
    public const string DefaultTroubleshooter =
        "You are a training troubleshooter for computer-vision model training. Identify the abnormal patterns in the data " +
        "and the diagnosis's findings; diagnose the most likely root cause of each; give step-by-step solutions, starting " +
        "with the most severe problem; suggest preventive measures. Refer to the findings' evidence and numbers. " +
        "Answer in {language}.";

    private string _analyst = DefaultAnalyst;
    private string _optimizer = DefaultOptimizer;
    private string _troubleshooter = DefaultTroubleshooter;

    /// <summary>Gets or sets the training analyst's prompt (analyse, chat). The default is <see cref="DefaultAnalyst"/>.</summary>
    public string Analyst
    {
        get => _analyst;
        set => _analyst = Check(value);
    }

    /// <summary>Gets or sets the hyperparameter optimiser's prompt (suggest). The default is <see cref="DefaultOptimizer"/>.</summary>
    public string Optimizer
    {
        get => _optimizer;
        set => _optimizer = Check(value);
    }

    /// <summary>Gets or sets the training troubleshooter's prompt (diagnose). The default is <see cref="DefaultTroubleshooter"/>.</summary>
    public string Troubleshooter
    {
        get => _troubleshooter;
        set => _troubleshooter = Check(value);
    }

    private static string Check(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        return value.Length <= 16_000 ? value : throw new ArgumentException($"A role prompt may have at most 16,000 characters; got {value.Length:N0}.", nameof(value));
    }
}
