namespace TrainInsight.Llm.Internal.Control;

/// <summary>What one clause of a chat message asks for, as the fixed grammar understands it.</summary>
internal enum ControlIntent
{
    Pause,
    Resume,
    Stop,
    SetLearningRate,
    ScaleLearningRate,
    SaveCheckpoint,
    Evaluate,
}
