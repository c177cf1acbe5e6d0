namespace TrainInsight.Llm.Internal.Pipeline;

/// <summary>
/// Thrown by the assistant's own pipeline stages instead of calling the model: a budget is spent or the circuit is open.
/// The assistant answers from the rules with <see cref="Exception.Message"/> as the notice.
/// </summary>
internal sealed class ModelUnavailableException : Exception
{
    public ModelUnavailableException()
    {
    }

    public ModelUnavailableException(string message)
        : base(message)
    {
    }

    public ModelUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
