"""Q&A communities: the accepted answer of each question, who may accept it, what members' servers are
told, and the questions still waiting for one (docs/questions.md)."""
