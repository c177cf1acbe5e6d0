namespace TrainInsight.DiagnosisBenchmark.Scoring;

/// <summary>Precision, recall and F1 of one label (first-finding view), and its multi-label recall.</summary>
internal sealed record LabelScore(
    string Label, int Support, int Predicted, int TruePositives, double Precision, double Recall, double F1, double MultiLabelRecall);
