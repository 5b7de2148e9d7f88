#pragma once

// Work in progress: runs table view
