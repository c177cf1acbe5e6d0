namespace TrainInsight;

/// <summary>Who wrote a <see cref="ConversationMessage"/>.</summary>
public enum ConversationRole
{
    /// <summary>The person asking.</summary>
    User,

    /// <summary>The assistant (the model or the rules; see <see cref="ConversationMessage.Source"/>).</summary>
    Assistant,
}
