#pragma once

// Work in progress: confusionview
