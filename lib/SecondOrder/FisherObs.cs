using System.Diagnostics;
using PruningLab.Data;
using PruningLab.FirstOrder;
using PruningLab.Pruning;
using static TorchSharp.torch;

namespace PruningLab.SecondOrder;

/// <summary>What <see cref="FisherObs.Prune"/> did, and what it cost.</summary>
/// <param name="Samples">Calibration images, one gradient each.</param>
/// <param name="Weights">Weights in the Hessian: the alive weights of every masked layer, all layers together.</param>
/// <param name="Removed">Weights removed now.</param>
/// <param name="Damping">λ added to the Fisher's diagonal, in its units (the relative damping times the diagonal's mean).</param>
/// <param name="PredictedIncrease">The loss increase the quadratic model predicts: the sum of the removed blocks' saliencies.</param>
/// <param name="GradientTime">Time for the per-sample gradients.</param>
/// <param name="InverseTime">Time to build the inverse Fisher.</param>
/// <param name="SolveTime">Time for the greedy removals and updates.</param>
public sealed record FisherObsReport(long Samples, long Weights, long Removed, double Damping, double PredictedIncrease,
    TimeSpan GradientTime, TimeSpan InverseTime, TimeSpan SolveTime)
{
    /// <summary>E.g. "3,296 weights, 1,024 samples: 2,967 removed in 4.1 s (gradients 0.6 s, inverse 1.2 s, solve 2.3 s)".</summary>
    public override string ToString() =>
        $"{Weights:N0} weights, {Samples:N0} samples: {Removed:N0} removed in {(GradientTime + InverseTime + SolveTime).TotalSeconds:F1} s " +
        $"(gradients {GradientTime.TotalSeconds:F1} s, inverse {InverseTime.TotalSeconds:F1} s, solve {SolveTime.TotalSeconds:F1} s)";
}

/// <summary>
/// Optimal Brain Surgeon as Hassibi &amp; Stork ran it (lesson 07): one Hessian for all the weights of a small network
/// at once, so that removing a weight of one layer may move weights of every layer. The Hessian is the damped
/// empirical Fisher λI + (1/N) Σₙ gₙgₙᵀ of the calibration samples' gradients, inverted by the Woodbury identity
/// (<see cref="FisherInverse"/>); weights then go greedily, a few at a time, by <see cref="OptimalBrainSurgeon.RemoveGreedily"/>.
/// The inverse has a row per weight, so this is for tiny networks (<see cref="MaxWeights"/>, e.g.
/// <see cref="Models.ModelZoo.TinyMlp"/>); larger ones are pruned a layer at a time by <see cref="LayerwiseObs"/>.
/// </summary>
public static class FisherObs
{
    /// <summary>The most weights the full inverse takes: 6,000² float64 is 288 MB, and each step reads all of it.</summary>
    public const int MaxWeights = 6000;

    /// <summary>
    /// The gradient of each calibration sample's cross-entropy loss by the alive weights of every masked layer, in the
    /// masks' order and each layer row by row: [samples, weights], float64. One backward pass per sample, in evaluation mode.
    /// </summary>
    /// <param name="masks">The masks of the model: their layers, and which weights are alive.</param>
    /// <param name="batches">Calibration batches; at most <paramref name="maxSamples"/> images are used.</param>
    /// <param name="maxSamples">How many samples to use at most.</param>
    /// <exception cref="ArgumentException">No batches, or no sample in them.</exception>
    public static Tensor SampleGradients(ModelMasks masks, IEnumerable<Batch> batches, int maxSamples)
    {
        ArgumentNullException.ThrowIfNull(masks);
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSamples, 1);
        var model = Model(masks);
        var parameters = Weights(masks);
        var alive = AliveIndices(masks);
        var rows = new List<Tensor>();
        try
        {
            CalibrationPass.InEvalMode(model, () =>
            {
                foreach (var batch in batches)
                    for (long i = 0; i < batch.Y.shape[0] && rows.Count < maxSamples; i++)
                    {
                        using var scope = NewDisposeScope();
                        IList<Tensor> gradients;
                        using (enable_grad())
                        {
                            var loss = nn.functional.cross_entropy(model.call(batch.X.narrow(0, i, 1)), batch.Y.narrow(0, i, 1));
                            gradients = autograd.grad([loss], parameters);
                        }
                        var row = cat(gradients.Select((g, k) => g.flatten().index_select(0, alive[k])).ToList()).to(float64);
                        rows.Add(row.DetachFromDisposeScope());
                    }
            });
            if (rows.Count == 0) throw CalibrationPass.NoBatches(nameof(batches));
            using var stackScope = NewDisposeScope();
            return stack(rows).MoveToOuterDisposeScope();
        }
        finally
        {
            foreach (var row in rows) row.Dispose();
            foreach (var index in alive) index.Dispose();
        }
    }

    /// <summary>
    /// Prunes the masked layers together to <paramref name="sparsity"/> of their weights (counting those pruned before),
    /// moving the survivors of every layer by OBS's update, and commits each layer's new mask and weights.
    /// </summary>
    /// <param name="masks">The masks of the small network to prune.</param>
    /// <param name="batches">Calibration batches.</param>
    /// <param name="sparsity">The share of the masked weights to be zero afterwards, in [0, 1).</param>
    /// <param name="samples">Calibration samples for the Fisher (more than the weights is not needed: damping fills the rest).</param>
    /// <param name="damping">λ relative to the mean of the Fisher's diagonal. It says how far the quadratic model is trusted:
    /// too little, and the updates overshoot where the Fisher is a poor Hessian; choose it on validation data.</param>
    /// <param name="blockSize">Weights removed per step (1 is classic OBS; a few are removed together, exactly, by the block update).</param>
    /// <exception cref="ArgumentException">A sparsity out of range or below the current one, more than <see cref="MaxWeights"/> alive weights, a non-positive damping, or no calibration data.</exception>
    public static FisherObsReport Prune(ModelMasks masks, IEnumerable<Batch> batches, double sparsity, int samples = 1024, double damping = 1e-2, int blockSize = 8)
    {
        ArgumentNullException.ThrowIfNull(masks);
        ArgumentNullException.ThrowIfNull(batches);
        if (!(sparsity >= 0 && sparsity < 1)) throw new ArgumentOutOfRangeException(nameof(sparsity), sparsity, "The sparsity must be in [0, 1).");
        if (!(damping > 0) || !double.IsFinite(damping))
            throw new ArgumentOutOfRangeException(nameof(damping), damping, "The relative damping must be positive (1e-4 … 1e-1): with fewer samples than weights the Fisher has no inverse without it.");
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        var target = (long)Math.Round(sparsity * masks.Total);
        var toRemove = target - masks.Zeros;
        if (toRemove < 0) throw new ArgumentException($"The layers are already {masks.Sparsity:P1} sparse, above the {sparsity:P1} asked for; OBS only removes weights.", nameof(sparsity));
        var aliveCount = masks.Total - masks.Zeros;
        if (aliveCount > MaxWeights)
            throw new ArgumentException($"The full Hessian of {aliveCount:N0} weights needs {aliveCount * aliveCount * 8 / 1e6:N0} MB and as many operations per removal; " +
                                        $"full-Hessian OBS takes at most {MaxWeights:N0} (a tiny network such as {Models.ModelZoo.TinyMlp}). Prune larger networks layer by layer with LayerwiseObs.", nameof(masks));

        using var scope = NewDisposeScope();
        var clock = Stopwatch.StartNew();
        var gradients = SampleGradients(masks, batches, samples);
        var gradientTime = clock.Elapsed;
        clock.Restart();
        // λ in the Fisher's own units: its diagonal's mean is (1/N) Σₙ ‖gₙ‖² / weights.
        var lambda = damping * gradients.pow(2).mean().item<double>();
        if (!(lambda > 0))
            throw new ArgumentException("Every calibration gradient is zero (a network that already fits the samples perfectly, or dead weights): the Fisher carries no information. Use other samples.", nameof(batches));
        var inverse = FisherInverse.Of(gradients, lambda, samplesPerStep: 256);
        var inverseTime = clock.Elapsed;
        clock.Restart();

        var parameters = Weights(masks);
        var alive = AliveIndices(masks);
        var w = cat(parameters.Select((p, k) => p.detach().flatten().index_select(0, alive[k])).ToList()).to(float64);
        var result = OptimalBrainSurgeon.RemoveGreedily(w, inverse, toRemove, blockSize);
        var solveTime = clock.Elapsed;

        long offset = 0;
        for (var k = 0; k < parameters.Length; k++)
        {
            var count = alive[k].shape[0];
            var name = masks.Names[k];
            var (mask, weight) = (masks[name].flatten().clone(), zeros(parameters[k].numel(), dtype: float64));
            var values = result.Weights.narrow(0, offset, count);
            weight.index_copy_(0, alive[k], values);
            mask.index_copy_(0, alive[k], result.Kept.narrow(0, offset, count).to(mask.dtype));
            masks.Commit(name, mask.reshape(parameters[k].shape), weight.reshape(parameters[k].shape));
            offset += count;
        }
        return new FisherObsReport(gradients.shape[0], w.shape[0], toRemove, lambda, result.PredictedIncrease, gradientTime, inverseTime, solveTime);
    }

    private static nn.Module<Tensor, Tensor> Model(ModelMasks masks) =>
        masks.Model as nn.Module<Tensor, Tensor> ?? throw new ArgumentException("The masks' model does not map tensors to tensors.", nameof(masks));

    // The positions of each masked layer's alive weights (flattened): the Hessian's rows, layer after layer.
    private static List<Tensor> AliveIndices(ModelMasks masks) => masks.Names.Select(n => masks[n].flatten().nonzero().flatten()).ToList();

    private static Tensor[] Weights(ModelMasks masks)
    {
        var parameters = masks.Model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        return masks.Names.Select(n => parameters[n]).ToArray();
    }
}
