# %% [markdown]
# # Finite-difference error
#
# Math $x^2$ and $$\norm{x}$$ here. Code `$notmath$`.

# %%
import numpy as np
print(np.sqrt(np.finfo(float).eps))
