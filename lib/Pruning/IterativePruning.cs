using PruningLab.Data;
using PruningLab.Training;
using static TorchSharp.torch;

namespace PruningLab.Pruning;

/// <summary>One round of iterative pruning: the sparsity reached and the accuracy before and after retraining.</summary>
public sealed record PruningRound(int Round, double Sparsity, double AccuracyAfterPruning, double AccuracyAfterRetraining, TrainingHistory Retraining);

/// <summary>
/// Iterative pruning (Han et al., 2015): prune a little, retrain with the mask held, repeat. Each round prunes a
/// share of what remains, so the sparsities follow 1 − (1 − s_f)^(r/n). Lesson 02.
/// </summary>
public static class IterativePruning
{
    /// <summary>The sparsity after each of <paramref name="rounds"/> rounds that end at <paramref name="finalSparsity"/>, pruning the same share of the survivors each round.</summary>
    public static double[] Steps(double finalSparsity, int rounds)
    {
        _ = Amount.Of(finalSparsity);
        if (rounds < 1) throw new ArgumentOutOfRangeException(nameof(rounds), rounds, "At least one round is needed.");
        return Enumerable.Range(1, rounds).Select(r => 1 - Math.Pow(1 - finalSparsity, r / (double)rounds)).ToArray();
    }

    /// <summary>
    /// Runs one round per entry of <paramref name="sparsities"/> (increasing): prune to that sparsity, measure, retrain
    /// with <paramref name="retrain"/> (the masks' hook is added), measure again.
    /// </summary>
    /// <param name="masks">The masks of the model to prune (changed in place).</param>
    /// <param name="train">Retraining data.</param>
    /// <param name="evaluation">Data the accuracies are measured on (the validation split when choices follow from them).</param>
    /// <param name="sparsities">Target sparsity of each round.</param>
    /// <param name="retrain">Retraining recipe per round (typically 1–3 epochs at a lower learning rate).</param>
    /// <param name="global">Global ranking (true) or the same sparsity in every layer.</param>
    /// <param name="onRound">Called after each round (live charts).</param>
    public static List<PruningRound> Run(ModelMasks masks, ImageDataset train, ImageDataset evaluation, IReadOnlyList<double> sparsities,
        TrainingOptions retrain, bool global = true, Action<IReadOnlyList<PruningRound>>? onRound = null)
    {
        ArgumentNullException.ThrowIfNull(masks);
        if (masks.Model is not nn.Module<Tensor, Tensor> model) throw new ArgumentException("The masks' model must map a tensor to a tensor.", nameof(masks));
        var rounds = new List<PruningRound>();
        var previous = -1.0;
        foreach (var target in sparsities)
        {
            if (target < previous) throw new ArgumentException($"Sparsities must not decrease: {target} follows {previous}.", nameof(sparsities));
            previous = target;
            masks.PruneTo(target, global);
            var pruned = Evaluator.Accuracy(model, evaluation);
            var history = Trainer.Fit(model, train, evaluation, retrain with { Hooks = [.. retrain.Hooks, masks.Hook] });
            rounds.Add(new PruningRound(rounds.Count + 1, masks.Sparsity, pruned, history.Last?.ValidationAccuracy ?? pruned, history));
            onRound?.Invoke(rounds);
        }
        return rounds;
    }
}
