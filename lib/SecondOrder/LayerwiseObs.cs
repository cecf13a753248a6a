using PruningLab.Data;
using PruningLab.Pruning;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.SecondOrder;

/// <summary>
/// Optimal Brain Surgeon one layer at a time (lesson 07), as in Optimal Brain Compression (Frantar &amp; Alistarh, 2022).
/// For a linear layer, keeping its outputs on calibration inputs X close — ‖WX − ŴX‖² — is a quadratic problem per
/// output row with the same Hessian for every row, H = 2XᵀX/N. Each row is pruned greedily: the weight of lowest
/// saliency w_q²/(2[H⁻¹]_qq) goes, the row's other weights move by the OBS update, H⁻¹ is downdated, and again. Rows
/// are independent, so a chunk of them runs at once, each with its own copy of H⁻¹. Every removal is exact for the
/// quadratic: after each step a row's survivors are the least-squares refit given the weights removed so far.
/// </summary>
public static class LayerwiseObs
{
    /// <summary>
    /// H = 2XᵀX/N + λ·mean(diag)·I from the layer's inputs X [N, in]. The damping λ keeps H invertible when an input
    /// is dead (always zero) or there are fewer samples than inputs.
    /// </summary>
    /// <exception cref="ArgumentException">Inputs not [N, in], no samples, or a negative damping.</exception>
    public static Tensor Hessian(Tensor inputs, double damping = 0.01)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.dim() != 2 || inputs.shape[0] == 0)
            throw new ArgumentException($"The layer's inputs must be [samples, inputs] with at least one sample; got [{string.Join(",", inputs.shape)}].", nameof(inputs));
        if (damping < 0 || !double.IsFinite(damping)) throw new ArgumentOutOfRangeException(nameof(damping), damping, "Damping is a small non-negative fraction, e.g. 0.01.");
        using var scope = NewDisposeScope();
        var x = inputs.detach().to(float64);
        Checks.Finite(x, "layer inputs");
        var h = 2 * x.T.matmul(x) / x.shape[0];
        var meanDiagonal = h.diagonal().mean().item<double>();
        return (h + damping * Math.Max(meanDiagonal, 1e-12) * eye(h.shape[0], dtype: float64)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The weights that make the layer reproduce the dense network's outputs from the inputs it receives now that the
    /// layers before it are pruned: Ŵ minimising ‖X̃Ŵᵀ − XWᵀ‖²·2/N (+ the damping of <paramref name="hessian"/>), i.e.
    /// Ŵᵀ = H⁻¹·(2X̃ᵀX/N)·Wᵀ with H = <see cref="Hessian"/>(X̃). Pruning Ŵ with the same H then minimises the error
    /// against the dense outputs, not against the pruned inputs' outputs: the least-squares residual is orthogonal
    /// to every Ŵ, so ‖X̃V − XWᵀ‖² = ‖X̃Ŵᵀ − XWᵀ‖² + ‖X̃(V − Ŵᵀ)‖² for any V. With X̃ = X and no damping it returns W.
    /// </summary>
    /// <param name="weight">The dense layer's weight [out, in].</param>
    /// <param name="denseInputs">X [N, in]: the layer's inputs in the dense network.</param>
    /// <param name="inputs">X̃ [N, in]: the same samples' inputs to the layer in the network pruned so far.</param>
    /// <param name="hessian">H of X̃, from <see cref="Hessian"/>.</param>
    /// <exception cref="ArgumentException">Shapes that do not fit, or an H that is not positive definite.</exception>
    public static Tensor Refit(Tensor weight, Tensor denseInputs, Tensor inputs, Tensor hessian)
    {
        var (_, count) = Shape(weight, hessian);
        ArgumentNullException.ThrowIfNull(denseInputs);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!denseInputs.shape.SequenceEqual(inputs.shape) || inputs.dim() != 2 || inputs.shape[1] != count)
            throw new ArgumentException($"The dense and the pruned inputs must both be [samples, {count}]; got [{string.Join(",", denseInputs.shape)}] and [{string.Join(",", inputs.shape)}].", nameof(inputs));
        using var scope = NewDisposeScope();
        var x = denseInputs.detach().to(float64);
        var pruned = inputs.detach().to(float64);
        var cross = 2 * pruned.T.matmul(x) / x.shape[0];
        var factor = Factor(hessian.detach().to(float64));
        return cholesky_solve(cross.matmul(weight.detach().to(float64).T), factor).T.to(weight.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Layer-wise OBS of a whole network, layer after layer in the model's order: each layer's inputs are captured
    /// twice — in <paramref name="dense"/> and in the network pruned so far — the layer is refitted to the dense
    /// outputs (<see cref="Refit"/>), pruned by OBS with the Hessian of its new inputs, and committed. So every layer
    /// also repairs the error the layers before it left. <paramref name="fractions"/> names the layers and how much of each.
    /// </summary>
    /// <param name="masks">The masks of the network to prune (a copy of <paramref name="dense"/>), its named layers still dense.</param>
    /// <param name="dense">The unpruned network, read only.</param>
    /// <param name="fractions">Layer name → share of its weights to prune.</param>
    /// <param name="batches">Calibration batches (materialised once; a few thousand images are enough).</param>
    /// <param name="damping">The damping of every layer's Hessian (<see cref="Hessian"/>).</param>
    /// <param name="exact">Exact greedy OBS per row (<see cref="PruneRows"/>) instead of the column sweep (<see cref="PruneColumns"/>).</param>
    public static void PruneModel(ModelMasks masks, nn.Module<Tensor, Tensor> dense, IReadOnlyDictionary<string, double> fractions, IEnumerable<Batch> batches,
        double damping = 0.01, bool exact = false)
    {
        ArgumentNullException.ThrowIfNull(masks);
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(fractions);
        ArgumentNullException.ThrowIfNull(batches);
        if (masks.Model is not nn.Module<Tensor, Tensor> model) throw new ArgumentException("The masks' model does not map tensors to tensors.", nameof(masks));
        var order = fractions.Keys.ToDictionary(l => l, l => masks.Names.ToList().IndexOf(LayerNames.Resolve(masks.Names, l) ?? ""));
        var unknown = order.Where(p => p.Value < 0).Select(p => $"'{p.Key}'").ToList();
        if (unknown.Count > 0) throw new ArgumentException($"No prunable layer named {string.Join(", ", unknown)}; the layers are {string.Join(", ", masks.Names)}.", nameof(fractions));
        var calibration = batches.ToList();
        foreach (var layer in fractions.Keys.OrderBy(l => order[l]))   // the model's order: each layer sees its pruned predecessors
        {
            using var scope = NewDisposeScope();
            EnsureDense(masks, layer);
            var inputs = CaptureInputs(model, layer, calibration);
            var hessian = Hessian(inputs, damping);
            var weight = Refit(((Linear)dense.named_modules().First(m => m.name == layer).module).weight!, CaptureInputs(dense, layer, calibration), inputs, hessian);
            var (updated, mask) = exact ? PruneRows(weight, hessian, fractions[layer]) : PruneColumns(weight, hessian, fractions[layer]);
            masks.Commit(layer, mask, updated);
        }
    }

    /// <summary>
    /// Prunes <c>round(fraction × in)</c> weights of every row of <paramref name="weight"/> [out, in] greedily by OBS,
    /// moving the survivors. Returns the new weights (float32, pruned ones exactly zero) and the 0/1 mask.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes that do not fit, or an H that is not positive definite (add damping).</exception>
    public static (Tensor Weight, Tensor Mask) PruneRows(Tensor weight, Tensor hessian, double fraction, int rowsPerChunk = 32)
    {
        var (rows, inputs) = Shape(weight, hessian);
        var remove = Amount.Of(fraction).CountFor(inputs, "each row");
        using var scope = NewDisposeScope();
        var inverse = Invert(hessian.detach().to(float64));
        var result = weight.detach().to(float64).clone();
        var mask = ones(rows, inputs, dtype: float64);
        for (long start = 0; start < rows; start += rowsPerChunk)
        {
            using var chunkScope = NewDisposeScope();
            var count = Math.Min(rowsPerChunk, rows - start);
            var w = result.narrow(0, start, count).clone();
            var h = inverse.unsqueeze(0).expand(count, inputs, inputs).clone();
            var removed = zeros(count, inputs, dtype: @bool);
            for (var step = 0; step < remove; step++)
            {
                using var stepScope = NewDisposeScope();
                var diagonal = h.diagonal(dim1: 1, dim2: 2);
                var saliency = where(removed, full_like(w, double.PositiveInfinity), w * w / (2 * where(removed, ones_like(diagonal), diagonal)));
                var q = saliency.argmin(1).unsqueeze(1);                                   // [R, 1]: each row's cheapest weight
                var column = h.gather(2, q.unsqueeze(2).expand(count, inputs, 1)).squeeze(2);   // [R, in]: H⁻¹e_q
                var pivot = diagonal.gather(1, q);                                          // [R, 1]: [H⁻¹]_qq
                removed.logical_or_(zeros(count, inputs, dtype: @bool).scatter_(1, q, ones(count, 1, dtype: @bool)));
                w.sub_(w.gather(1, q) / pivot * column).masked_fill_(removed, 0.0);       // the OBS update; removed stay 0
                h.sub_(column.unsqueeze(2).bmm((column / pivot).unsqueeze(1)));               // the downdate
            }
            result.narrow(0, start, count).copy_(w);
            mask.narrow(0, start, count).copy_(removed.logical_not().to(float64));
        }
        return (result.to(float32).MoveToOuterDisposeScope(), mask.to(float32).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The fast approximation of SparseGPT (Frantar &amp; Alistarh, 2023): the columns are visited once, left to right, in
    /// blocks of <paramref name="blockSize"/>. At the start of a block the weights to prune in it are chosen — the
    /// <paramref name="fraction"/> of the block's weights with the lowest w²/[U]_cc², U the upper Cholesky factor of
    /// H⁻¹ (so [U]_cc² is [H⁻¹]_cc with the earlier columns already fixed) — then each column in turn is fixed and its
    /// error is spread, OBS-style, over the columns to its right only. One Cholesky factorisation and O(out·in²) work:
    /// seconds where <see cref="PruneRows"/> takes minutes, at the price of never moving a column once it is passed.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes that do not fit, or an H that is not positive definite (add damping).</exception>
    public static (Tensor Weight, Tensor Mask) PruneColumns(Tensor weight, Tensor hessian, double fraction, int blockSize = 128)
    {
        var (rows, inputs) = Shape(weight, hessian);
        _ = Amount.Of(fraction);
        if (blockSize < 1) throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "A block holds at least one column.");
        using var scope = NewDisposeScope();
        var upper = linalg.cholesky(Invert(hessian.detach().to(float64))).T.contiguous();   // H⁻¹ = UᵀU
        var w = weight.detach().to(float64).clone();
        var mask = ones(rows, inputs, dtype: @bool);
        for (long start = 0; start < inputs; start += blockSize)
        {
            using var blockScope = NewDisposeScope();
            var end = Math.Min(start + blockSize, inputs);
            var width = end - start;
            var block = w.narrow(1, start, width);                      // a view: updates land in w
            var u = upper.narrow(0, start, width).narrow(1, start, width);
            var score = block.pow(2) / u.diagonal().pow(2).unsqueeze(0);
            var prune = (long)Math.Round(fraction * score.numel(), MidpointRounding.ToEven);
            var blockMask = ones(score.numel(), dtype: @bool);
            if (prune > 0) blockMask.index_fill_(0, score.flatten().argsort().narrow(0, 0, prune), false);
            blockMask = blockMask.reshape(rows, width);
            var errors = zeros(rows, width, dtype: float64);
            for (long i = 0; i < width; i++)
            {
                var column = block.narrow(1, i, 1);
                var kept = where(blockMask.narrow(1, i, 1), column, zeros_like(column));
                var error = (column - kept) / u[i, i];
                block.narrow(1, i, width - i).sub_(error.matmul(u.narrow(0, i, 1).narrow(1, i, width - i)));
                column.copy_(kept);
                errors.narrow(1, i, 1).copy_(error);
            }
            mask.narrow(1, start, width).copy_(blockMask);
            if (end < inputs) w.narrow(1, end, inputs - end).sub_(errors.matmul(upper.narrow(0, start, width).narrow(1, end, inputs - end)));
        }
        var result = w.masked_fill(mask.logical_not(), 0.0);
        return (result.to(float32).MoveToOuterDisposeScope(), mask.to(float32).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The inputs of <paramref name="layer"/> (a linear layer of <paramref name="model"/>) over <paramref name="batches"/>,
    /// [samples, in], captured with a forward pre-hook in evaluation mode.
    /// </summary>
    public static Tensor CaptureInputs(nn.Module<Tensor, Tensor> model, string layer, IEnumerable<Batch> batches)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batches);
        if (model.named_modules().FirstOrDefault(m => m.name == layer).module is not Linear linear)
            throw new ArgumentException($"'{layer}' is not a linear layer of {model.GetName()}; layer-wise OBS here handles linear layers.", nameof(layer));
        var parts = new List<Tensor>();
        var handle = linear.register_forward_pre_hook((_, input) =>
        {
            parts.Add(input.detach().reshape(-1, input.shape[^1]).to(float64).clone().DetachFromDisposeScope());
            return input;
        });
        var wasTraining = model.training;
        try
        {
            model.eval();
            using var noGrad = no_grad();
            foreach (var batch in batches)
            {
                using var scope = NewDisposeScope();
                model.call(batch.X);
            }
            if (parts.Count == 0) throw new ArgumentException("No batches to capture the layer's inputs from.", nameof(batches));
            return cat(parts, 0);
        }
        finally
        {
            handle.remove();
            model.train(wasTraining);
            foreach (var part in parts) part.Dispose();
        }
    }

    /// <summary>
    /// Prunes <paramref name="fraction"/> of <paramref name="layer"/> by layer-wise OBS on the inputs it sees over
    /// <paramref name="batches"/> — exact and greedy per row (<see cref="PruneRows"/>), or the fast column sweep
    /// (<see cref="PruneColumns"/>) — and commits the new mask and weights to <paramref name="masks"/>. The layer must
    /// not be pruned yet.
    /// </summary>
    public static void Prune(ModelMasks masks, string layer, IEnumerable<Batch> batches, double fraction, double damping = 0.01, bool exact = true)
    {
        ArgumentNullException.ThrowIfNull(masks);
        if (masks.Model is not nn.Module<Tensor, Tensor> model) throw new ArgumentException("The masks' model does not map tensors to tensors.", nameof(masks));
        EnsureDense(masks, layer);
        using var scope = NewDisposeScope();
        var hessian = Hessian(CaptureInputs(model, layer, batches), damping);   // checks that the layer is linear
        var weight = ((Linear)model.named_modules().First(m => m.name == layer).module).weight!;
        var (updated, mask) = exact ? PruneRows(weight, hessian, fraction) : PruneColumns(weight, hessian, fraction);
        masks.Commit(layer, mask, updated);
    }

    // [out, in] for a linear weight whose Hessian is in×in; a clear error otherwise.
    private static (long Rows, long Inputs) Shape(Tensor weight, Tensor hessian)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(hessian);
        if (weight.dim() != 2) throw new ArgumentException($"Layer-wise OBS works on a linear weight [out, in]; got [{string.Join(",", weight.shape)}].", nameof(weight));
        var inputs = weight.shape[1];
        if (!hessian.shape.SequenceEqual([inputs, inputs]))
            throw new ArgumentException($"The Hessian is [{string.Join(",", hessian.shape)}]; the weight has {inputs} inputs, so it must be {inputs}×{inputs}.", nameof(hessian));
        return (weight.shape[0], inputs);
    }

    private static void EnsureDense(ModelMasks masks, string layer)
    {
        if (masks[layer].eq(0).any().item<bool>())
            throw new ArgumentException($"'{layer}' is already pruned; layer-wise OBS starts from a dense layer (Restore it first).", nameof(layer));
    }

    private static Tensor Invert(Tensor hessian) => cholesky_inverse(Factor(hessian));

    // The lower Cholesky factor of H, or the clear error when H is not positive definite.
    private static Tensor Factor(Tensor hessian)
    {
        Checks.Finite(hessian, "Hessian");
        var (factor, info) = linalg.cholesky_ex(hessian);
        if (info.item<int>() != 0)
            throw new ArgumentException("The Hessian is not positive definite (dead inputs, or fewer samples than inputs): add damping, e.g. Hessian(inputs, damping: 0.01).", nameof(hessian));
        return factor;
    }
}
