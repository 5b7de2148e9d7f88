#pragma once

namespace kiln {

/// Makes OpenMP worker threads (XGBoost trains on them) sleep instead of spin while they wait.
/// libgomp reads OMP_WAIT_POLICY once, when it is loaded (before main), and spinning workers
/// on a busy machine slow training tenfold and take the CPU the GUI needs. So when the
/// variable is unset, this sets it and re-executes the program with the same arguments; call
/// it first thing in main(). Does nothing when the user chose a policy.
void ensurePassiveOpenMpWait(char **argv);

} // namespace kiln
