namespace TrainInsight.Llm.Internal.Rules;

/// <summary>Each finding label's name and the effect its fixes should have, in English and Chinese.</summary>
internal static class LabelText
{
    private static readonly Dictionary<string, (string En, string Zh, string EffectEn, string EffectZh)> s_labels = new(StringComparer.Ordinal)
    {
        [FindingLabels.Divergence] = ("divergence", "训练发散",
            "the loss should be finite again and fall within the next few hundred steps; resume from the last good checkpoint if it stays NaN",
            "损失应恢复为有限值，并在接下来的几百步内下降；若仍为 NaN，请从最后一个正常的检查点恢复"),
        [FindingLabels.LearningRateTooHigh] = ("learning rate too high", "学习率过高",
            "the loss should stop oscillating and fall steadily within about one epoch",
            "损失应停止震荡，并在约一个 epoch 内平稳下降"),
        [FindingLabels.LearningRateTooLow] = ("learning rate too low", "学习率过低",
            "the loss should fall visibly faster within the next epoch",
            "损失应在下一个 epoch 内明显加快下降"),
        [FindingLabels.Overfitting] = ("overfitting", "过拟合",
            "the gap between validation and training loss should stop widening; validation loss should stop rising within 1-2 epochs",
            "验证损失与训练损失的差距应停止扩大；验证损失应在 1-2 个 epoch 内停止上升"),
        [FindingLabels.VanishingGradients] = ("vanishing gradients", "梯度消失",
            "gradient norms of the early layers should rise by orders of magnitude and the loss start falling",
            "浅层的梯度范数应提升几个数量级，损失开始下降"),
        [FindingLabels.ExplodingGradients] = ("exploding gradients", "梯度爆炸",
            "gradient norm spikes should disappear and the loss should stop jumping",
            "梯度范数的尖峰应消失，损失不再跳变"),
        [FindingLabels.DyingRelu] = ("dying ReLU", "ReLU 神经元死亡",
            "the share of dead units should fall and the loss resume falling",
            "死亡单元的比例应下降，损失恢复下降"),
        [FindingLabels.SaturatedActivations] = ("saturated activations", "激活饱和",
            "the share of saturated activations should fall and gradients recover",
            "饱和激活的比例应下降，梯度恢复"),
        [FindingLabels.Plateau] = ("plateau", "训练停滞",
            "the loss should leave the plateau within an epoch, or the run should stop without wasting compute",
            "损失应在一个 epoch 内走出平台期，否则应停止训练以免浪费算力"),
        [FindingLabels.LabelNoise] = ("label noise", "标签噪声",
            "training accuracy should stop being capped and validation accuracy should rise once noisy labels are handled",
            "处理噪声标签后，训练准确率不再受限，验证准确率应上升"),
        [FindingLabels.UnnormalizedInput] = ("unnormalised input", "输入未归一化",
            "with inputs at mean about 0 and std about 1 the loss should fall faster and more smoothly",
            "输入均值约为 0、标准差约为 1 后，损失应下降得更快更平稳"),
        [FindingLabels.UnshuffledData] = ("unshuffled data", "数据未打乱",
            "per-batch class shares should even out and the loss stop swinging with the batch order",
            "每个批次的类别比例应趋于均衡，损失不再随批次顺序摆动"),
        [FindingLabels.MissingZeroGrad] = ("missing zero_grad", "缺少 zero_grad",
            "gradient norms should stop growing step after step and the loss should fall",
            "梯度范数不再逐步累积增长，损失应下降"),
        [FindingLabels.DataLoaderBottleneck] = ("data-loader bottleneck", "数据加载瓶颈",
            "data time should fall well below compute time and throughput rise",
            "数据加载时间应明显低于计算时间，吞吐量提升"),
        [FindingLabels.SignalsMissing] = ("signals missing", "缺少指标",
            "the diagnosis can judge more labels once the run reports the missing metrics",
            "训练上报缺失的指标后，诊断可以判断更多问题"),
        [FindingLabels.Healthy] = ("healthy", "正常", "none needed", "无需处理"),
    };

    public static string Name(string label, bool chinese) =>
        s_labels.TryGetValue(label, out var text) ? chinese ? text.Zh : text.En : label.Replace('_', ' ');

    public static string Effect(string label, bool chinese) =>
        s_labels.TryGetValue(label, out var text)
            ? chinese ? text.EffectZh : text.EffectEn
            : chinese ? "问题的证据应减弱" : "the finding's evidence should weaken";
}
