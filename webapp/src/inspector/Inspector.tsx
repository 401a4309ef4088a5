// The Process Inspector: definitions, instances and one instance in depth.
// This module and everything it imports (bpmn-js) load only on inspector routes.
import { Navigate, Route, Routes, useParams } from 'react-router';
import { ProcessList, ProcessView } from './Processes';
import { InstanceList } from './InstanceList';
import { InstanceView } from './InstanceView';

export default function Inspector() {
  return (
    <Routes>
      <Route index element={<Navigate to="instances" replace />} />
      <Route path="processes" element={<ProcessList />} />
      <Route path="processes/:processDefinitionKey" element={<ProcessView />} />
      <Route path="instances" element={<InstanceList />} />
      <Route path="instances/:processInstanceKey" element={<InstanceRoute />} />
    </Routes>
  );
}

/** InstanceRoute starts each instance with fresh state (replay position, selected scope). */
function InstanceRoute() {
  const { processInstanceKey } = useParams();
  return <InstanceView key={processInstanceKey} />;
}
