namespace TrainInsight;

/// <summary>Which <see cref="ITrainingAssistant"/> operation produced an <see cref="AssistantAnswer"/>; each has its own prompt role.</summary>
public enum AssistantOperation
{
    /// <summary>An analysis of the run's state (the training analyst role).</summary>
    Analyze,

    /// <summary>Hyperparameter suggestions (the hyperparameter optimiser role).</summary>
    Suggest,

    /// <summary>A diagnosis with root causes and fixes (the training troubleshooter role).</summary>
    Diagnose,

    /// <summary>An answer to a chat message (the training analyst role, with tools).</summary>
    Chat,
}
