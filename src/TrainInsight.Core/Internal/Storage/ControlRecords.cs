namespace TrainInsight.Internal;

/// <summary>Turns control acknowledgements into audit records, the same way for every store.</summary>
internal static class ControlRecords
{
    public static ControlRecord? From(TrainingEvent training) =>
        training is { Kind: TrainingEventKind.ControlApplied, Command: { } command, ControlStatus: { } status }
            ? new ControlRecord
            {
                CommandId = command.Id,
                RunId = training.RunId,
                Action = command.Action,
                Value = command.Value,
                IssuedAt = command.IssuedAt,
                Status = status,
                HandledAt = training.Timestamp,
                Step = training.Step,
                Message = training.Message,
                Offset = training.Offset,
            }
            : null;
}
