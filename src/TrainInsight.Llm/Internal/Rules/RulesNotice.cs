namespace TrainInsight.Llm.Internal.Rules;

/// <summary>The notices of rules answers.</summary>
internal static class RulesNotice
{
    public const string NoChatClient = "No IChatClient is registered, so this answer comes from the diagnosis's rules.";

    public const string NoChatClientChat =
        "No IChatClient is registered, so the rules answered: they cannot hold a conversation, so this answers the message's " +
        "intent (suggestions, problems, or else the state of the run) from the diagnosis.";

    public const string NoChatClientCommand =
        "No IChatClient is registered, so the assistant's fixed grammar read the message as commands (English and Chinese: " +
        "pause, resume, stop, set or scale the learning rate, save a checkpoint, evaluate).";

    public static string Failed(Exception ex) => ex switch
    {
        Pipeline.ModelUnavailableException => ex.Message + " This answer comes from the rules.",
        TimeoutException => ex.Message + " This answer comes from the rules.",
        _ => $"The model failed ({ex.GetType().Name}: {ex.Message}); this answer comes from the rules.",
    };
}
